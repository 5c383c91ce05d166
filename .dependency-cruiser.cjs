/**
 * The dependency rules `npm test` checks (ARCHITECTURE.md, "Dependency rules"): no import cycles
 * anywhere in our code, and UI components do not import from the routes in app/.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment: "An import cycle ties two modules' load order and their domains together; move the shared part to a module both import.",
      from: { path: "^(app|components|lib|worker|tests|bench)/" },
      to: { circular: true },
    },
    {
      name: "components-not-from-app",
      severity: "error",
      comment: "Components are used by routes, not the other way round: server actions live beside their domain in lib/.",
      from: { path: "^components/" },
      to: { path: "^app/" },
    },
    {
      name: "lib-not-from-app-or-components",
      severity: "error",
      comment: "Domain code does not depend on routes or UI.",
      from: { path: "^(lib|worker)/" },
      to: { path: "^(app|components)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|\\.next|storage|tests/\\.artifacts)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"], extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"] },
    moduleSystems: ["es6", "cjs"],
  },
};
