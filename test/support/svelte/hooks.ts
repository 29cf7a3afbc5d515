/**
 * Node module hooks that let a unit test import the renderer's Svelte code as
 * the app's Vite build does (registered by ./dom.ts, they run on Node's hooks
 * thread, after tsx, which keeps handling plain .ts):
 *   - `.svelte` components compile with `compile()` for the client, with the
 *     compiler options of svelte.config.js (the file Vite and svelte-check read);
 *   - `.svelte.ts` / `.svelte.js` modules (runes outside components) compile with
 *     `compileModule()`, TypeScript stripped first by esbuild;
 *   - every import resolves with the `browser` and `production` export conditions,
 *     as Vite resolves them for the page: `svelte`, `svelte/store` and
 *     `svelte/reactivity` export their server build under Node's default
 *     conditions (node_modules/svelte/package.json), where `mount` throws, and
 *     esm-env's BROWSER flag is true only under `browser`.
 * Styles are dropped: jsdom lays nothing out, so a test cannot see them, and
 * this keeps tests off jsdom's CSS parser.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import { compile, compileModule, preprocess, type CompileOptions, type PreprocessorGroup } from 'svelte/compiler';

interface ResolveContext {
  conditions: string[];
  parentURL?: string;
  importAttributes?: Record<string, string>;
}
interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
interface LoadContext {
  format?: string | null;
  conditions: string[];
  importAttributes?: Record<string, string>;
}
interface LoadResult {
  format: string;
  source?: string | ArrayBuffer | Uint8Array;
  shortCircuit?: boolean;
}

const PAGE_CONDITIONS = ['browser', 'production'];

interface SvelteConfig {
  compilerOptions?: CompileOptions;
  preprocess?: PreprocessorGroup | PreprocessorGroup[];
}
let config: Promise<SvelteConfig> | null = null;
function svelteConfig(): Promise<SvelteConfig> {
  const url = new URL('../../../svelte.config.js', import.meta.url).href;
  config ??= import(url).then((m: { default: SvelteConfig }) => m.default);
  return config;
}

export async function resolve(
  specifier: string,
  context: ResolveContext,
  nextResolve: (specifier: string, context: ResolveContext) => Promise<ResolveResult>,
): Promise<ResolveResult> {
  const conditions = [...new Set([...context.conditions, ...PAGE_CONDITIONS])];
  return nextResolve(specifier, { ...context, conditions });
}

export async function load(
  url: string,
  context: LoadContext,
  nextLoad: (url: string, context: LoadContext) => Promise<LoadResult>,
): Promise<LoadResult> {
  const path = url.startsWith('file:') ? fileURLToPath(url) : null;
  if (path?.endsWith('.svelte')) return { format: 'module', source: await component(path), shortCircuit: true };
  if (path && /\.svelte\.[jt]s$/.test(path)) return { format: 'module', source: await runesModule(path), shortCircuit: true };
  return nextLoad(url, context);
}

async function component(path: string): Promise<string> {
  const options = await svelteConfig();
  let source = await readFile(path, 'utf8');
  if (options.preprocess) source = (await preprocess(source, options.preprocess, { filename: path })).code;
  const { js } = compile(source, { ...options.compilerOptions, filename: path, generate: 'client', dev: false, css: 'external' });
  return withMap(js.code, js.map);
}

async function runesModule(path: string): Promise<string> {
  let source = await readFile(path, 'utf8');
  if (path.endsWith('.ts')) source = (await transform(source, { loader: 'ts', format: 'esm', target: 'es2023', sourcefile: path })).code;
  const { js } = compileModule(source, { filename: path, generate: 'client', dev: false });
  return withMap(js.code, js.map);
}

/** An inline source map, so a stack trace points into the .svelte file. */
function withMap(code: string, map: { toString(): string } | null | undefined): string {
  if (!map) return code;
  return `${code}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(map.toString()).toString('base64')}\n`;
}
