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
import { SvgRecorder } from './svg-recorder';

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

/** Datasets (lines, bars) and data points (pie slices) the user hid by clicking the legend. */
export interface HiddenParts {
  datasets: number[];
  points: number[];
}

/** What the user hid on the chart drawn now, so an export shows the chart as they see it. */
export function hiddenParts(chart: Chart): HiddenParts {
  const datasets = chart.data.datasets.map((_, i) => i).filter((i) => !chart.isDatasetVisible(i));
  const count = chart.data.labels?.length ?? 0;
  const points = Array.from({ length: count }, (_, i) => i).filter((i) => !chart.getDataVisibility(i));
  return { datasets, points };
}

const NOTHING_HIDDEN: HiddenParts = { datasets: [], points: [] };

/**
 * Draws the chart once off screen at this size, with what the user hid hidden
 * and no animation, hands it to `use`, and removes it.
 */
async function drawOffscreen<T>(
  config: ChartConfiguration,
  size: { width: number; height: number },
  options: { pixelRatio: number; theme: ChartTheme; hidden: HiddenParts; context?: (canvas: HTMLCanvasElement) => CanvasRenderingContext2D },
  use: (chart: Chart, canvas: HTMLCanvasElement) => Promise<T> | T,
): Promise<T> {
  // Chart.js reads the canvas size as CSS pixels and multiplies it by devicePixelRatio itself.
  const canvas = document.createElement('canvas');
  canvas.width = size.width;
  canvas.height = size.height;
  if (options.context) {
    const context = options.context(canvas);
    canvas.getContext = (() => context) as unknown as HTMLCanvasElement['getContext'];
  }
  const holder = document.createElement('div');
  holder.style.cssText = `position:fixed;left:-10000px;top:0;width:${size.width}px;height:${size.height}px;`;
  holder.append(canvas);
  document.body.append(holder);
  const chart = new Chart(canvas, {
    ...config,
    options: { ...config.options, responsive: false, devicePixelRatio: options.pixelRatio, animation: false },
    plugins: [...(config.plugins ?? []), surfacePlugin(options.theme.surface)],
  } as ChartConfiguration);
  try {
    if (options.hidden.datasets.length || options.hidden.points.length) {
      for (const i of options.hidden.datasets) chart.setDatasetVisibility(i, false);
      for (const i of options.hidden.points) if (chart.getDataVisibility(i)) chart.toggleDataVisibility(i);
      chart.update('none');
    }
    return await use(chart, canvas);
  } finally {
    chart.destroy();
    holder.remove();
  }
}

/**
 * The chart as a PNG at twice its on-screen size: drawn again off screen at a
 * device pixel ratio of 2 on an opaque background of the theme's surface.
 */
export async function chartPng(config: ChartConfiguration, size: { width: number; height: number }, theme: ChartTheme, hidden: HiddenParts = NOTHING_HIDDEN): Promise<Blob> {
  return drawOffscreen(config, size, { pixelRatio: 2, theme, hidden }, (_chart, canvas) =>
    new Promise<Blob>((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('The chart could not be drawn as an image.'))), 'image/png')),
  );
}

/**
 * The chart as an SVG document at its on-screen size: Chart.js draws it once
 * through a recording context (svg-recorder.ts), on the theme's surface.
 */
export async function chartSvg(config: ChartConfiguration, size: { width: number; height: number }, theme: ChartTheme, title: string, hidden: HiddenParts = NOTHING_HIDDEN): Promise<string> {
  let recorder: SvgRecorder | null = null;
  const context = (canvas: HTMLCanvasElement) => {
    const real = HTMLCanvasElement.prototype.getContext.call(canvas, '2d') as CanvasRenderingContext2D | null;
    if (!real) throw new Error('The chart could not be drawn as an SVG: no 2D canvas.');
    recorder = new SvgRecorder(real);
    return recorder.context;
  };
  // Chart.js strokes a line through a Path2D, which cannot be read back, unless the line has segment styles:
  // an empty set makes it draw on the context itself (chart.js: LineElement.draw, usePath2D).
  const direct = { ...config, data: { ...config.data, datasets: config.data.datasets.map((d) => ({ ...d, segment: {} })) } } as ChartConfiguration;
  return drawOffscreen(direct, size, { pixelRatio: 1, theme, hidden, context }, () => {
    if (!recorder) throw new Error('The chart could not be drawn as an SVG.');
    return (recorder as SvgRecorder).toSvg(size, title);
  });
}
