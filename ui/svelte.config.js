// The app's own components are in runes mode, always: no legacy syntax slips in. Components
// from packages keep whatever mode they were written for.
export default {
  vitePlugin: {
    dynamicCompileOptions({ filename }) {
      if (!filename.includes("node_modules")) return { runes: true };
    },
  },
};
