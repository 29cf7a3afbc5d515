/** Svelte compiler options shared by Vite and svelte-check. */
export default {
  compilerOptions: { runes: true },
};
