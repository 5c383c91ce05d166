/**
 * The dependency rules `npm test` checks (ARCHITECTURE.md, "Dependency rules"): no import cycles
 * anywhere in our code, UI components do not import from the routes in app/, domain code imports
 * neither routes nor UI, and the job system does not import the domains it runs.
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
    {
      name: "job-system-not-from-domains",
      severity: "error",
      comment: "lib/jobs is the job system every domain builds on; it must not import the domains (the registry of job types lives in worker/).",
      from: { path: "^lib/jobs/", pathNot: "^lib/jobs/actions\\.ts$" },
      to: { path: "^lib/(datasets|exports|generation|sources|training|evaluation|runner-program|hub|base-models)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|\\.next|storage|tests/\\.artifacts)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"],
    },
    moduleSystems: ["es6", "cjs"],
  },
};
