// Type-checks a Grafana dashboard JSON file against Grafana's own generated types from
// @grafana/schema: the dashboard v1 kind (raw/dashboard/x: Dashboard, Panel, RowPanel, GridPos,
// VariableModel, FieldConfigSource, ValueMapping, ...) and, for heatmap panels, the heatmap
// panel's options. TypeScript's checks on an object literal are what make this strict: every
// required field present, every field of the right type, no field the schema does not know.
//
//   node check-dashboard.mjs DASHBOARD.json WORK_DIR     (after: npm ci, in this folder)
//
// JSON has no enums, so the schema's enums (MappingType, DashboardCursorSync, ...) are rewritten
// as unions of their values first; "__inputs" and "__requires" are the export envelope that
// Grafana's "Import dashboard" reads and removes, so they are checked by GrafanaSchemaTest, not
// here. Exit 0 and one line "... conforms ..." when it passes; tsc's errors and exit 1 when not.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const schema = path.join(here, 'node_modules', '@grafana', 'schema', 'dist', 'types', 'raw');
const [dashboardFile, work] = process.argv.slice(2);
if (!dashboardFile || !work) {
  console.error('usage: node check-dashboard.mjs DASHBOARD.json WORK_DIR');
  process.exit(2);
}

let types = fs.readFileSync(path.join(schema, 'dashboard', 'x', 'types.gen.d.ts'), 'utf8');
types = types.replace(/export declare enum (\w+) \{([^}]*)\}/g, (all, name, body) => {
  const members = body.split(',').map(m => m.trim()).filter(Boolean)
    .map(m => m.split(/\s*=\s*/));
  return `export type ${name} = ${members.map(m => m[1]).join(' | ')};\n`
    + `export declare namespace ${name} {\n`
    + members.map(m => `  type ${m[0]} = ${m[1]};`).join('\n') + '\n}';
});
fs.mkdirSync(work, { recursive: true });
fs.writeFileSync(path.join(work, 'dashboard-types.d.ts'), types);

const { __inputs, __requires, ...model } = JSON.parse(fs.readFileSync(dashboardFile, 'utf8'));
const heatmapTypes = path.join(schema, 'composable', 'heatmap', 'panelcfg', 'x', 'types.gen')
  .split(path.sep).join('/');
let source = `import type { Dashboard } from './dashboard-types';\n`
  + `import type { Options as HeatmapOptions } from '${heatmapTypes}';\n`
  + `export const dashboard: Dashboard = ${JSON.stringify(model, null, 2)};\n`;
(model.panels || []).filter(p => p.type === 'heatmap').forEach((p, i) => {
  source += `export const heatmap${i}: Partial<HeatmapOptions> = `
    + `${JSON.stringify(p.options || {}, null, 2)};\n`;
});
fs.writeFileSync(path.join(work, 'check.ts'), source);

try {
  execFileSync(process.execPath, [path.join(here, 'node_modules', 'typescript', 'bin', 'tsc'),
    '--noEmit', '--strict', '--skipLibCheck', '--target', 'es2020', '--module', 'esnext',
    '--moduleResolution', 'node', path.join(work, 'check.ts')], { stdio: 'inherit' });
} catch (e) {
  console.error(`${dashboardFile}: does not conform to @grafana/schema's Dashboard (above)`);
  process.exit(1);
}
console.log(`${dashboardFile}: conforms to @grafana/schema's Dashboard `
  + `(${(model.panels || []).length} panels)`);
