import {
  ArcElement,
  BarController,
  BarElement,
  BubbleController,
  CategoryScale,
  Chart,
  Decimation,
  DoughnutController,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PieController,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartConfiguration,
  type Plugin,
} from 'chart.js';
import type { ChartTheme } from './chart-data';

// Only what the chart types in ChartSpec use, so the bundle carries no radar, polar area or time scale.
Chart.register(
  LineController,
  BarController,
  ScatterController,
  BubbleController,
  PieController,
  DoughnutController,
  LineElement,
  PointElement,
  BarElement,
  ArcElement,
  LinearScale,
  CategoryScale,
  Filler,
  Legend,
  Tooltip,
  Decimation,
);

export { Chart };

/** The chart colours of the current theme, read from its CSS tokens (app.css: --chart-1 … --chart-8). */
export function readChartTheme(root: HTMLElement = document.documentElement): ChartTheme {
  const style = getComputedStyle(root);
  const token = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    colors: Array.from({ length: 8 }, (_, i) => token(`--chart-${i + 1}`, '#4f46e5')),
    text: token('--text', '#1c1e24'),
    muted: token('--text-3', '#7b8091'),
    grid: token('--chart-grid', '#eceef2'),
    surface: token('--surface', '#ffffff'),
    font: token('--font-sans', 'sans-serif'),
  };
}

/** Paints the theme's surface under the chart, so an exported image has an opaque background that matches the app. */
export function surfacePlugin(color: string): Plugin {
  return {
    id: 'polystoreSurface',
    beforeDraw(chart) {
      const { ctx, width, height } = chart;
      ctx.save();
      ctx.globalCompositeOperation = 'destination-over';
      ctx.fillStyle = color;
      ctx.fillRect(0, 0, width, height);
      ctx.restore();
    },
  };
}

/**
 * The chart as a PNG at twice its on-screen size: drawn again off screen at a
 * device pixel ratio of 2 on an opaque background of the theme's surface.
 */
export async function chartPng(config: ChartConfiguration, size: { width: number; height: number }, theme: ChartTheme): Promise<Blob> {
  // Chart.js reads the canvas size as CSS pixels and multiplies it by devicePixelRatio itself.
  const canvas = document.createElement('canvas');
  canvas.width = size.width;
  canvas.height = size.height;
  const holder = document.createElement('div');
  holder.style.cssText = `position:fixed;left:-10000px;top:0;width:${size.width}px;height:${size.height}px;`;
  holder.append(canvas);
  document.body.append(holder);
  const chart = new Chart(canvas, {
    ...config,
    options: { ...config.options, responsive: false, devicePixelRatio: 2, animation: false },
    plugins: [...(config.plugins ?? []), surfacePlugin(theme.surface)],
  } as ChartConfiguration);
  try {
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('The chart could not be drawn as an image.'))), 'image/png'));
  } finally {
    chart.destroy();
    holder.remove();
  }
}
