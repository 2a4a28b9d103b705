/**
 * Writes the shipped demo tenant (src/graph/demo-tenant/demo-tenant.json, built with timestamps
 * relative to now) as pretty Graph-shaped JSON:
 * a starting point for admins' own DEMO_TENANT_FILE.
 *
 *   npx tsx scripts/write-demo-tenant.ts [out.json]   (default ./data/demo-tenant.json)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildDemoTenant } from '../src/graph/demo-tenant-data';

const target = path.resolve(process.argv[2] ?? path.join('data', 'demo-tenant.json'));
const tenant = buildDemoTenant(new Date());

mkdirSync(path.dirname(target), { recursive: true });
writeFileSync(target, `${JSON.stringify(tenant, null, 2)}\n`, 'utf8');

console.log(
  `Wrote ${tenant.users.length} users, ${tenant.signIns.length} sign-ins, ${tenant.devices.length} devices and ` +
    `${tenant.conditionalAccessPolicies.length} Conditional Access policies to ${target}`,
);
console.log('Point DEMO_TENANT_FILE at it. Timestamps are absolute: rerun this script to refresh them.');
