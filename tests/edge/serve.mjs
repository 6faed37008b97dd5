// Start the Worker in workerd (miniflare) with a seeded company, for tools such as schemathesis.
// Prints {"base","admin","key"} on one line, then serves until killed.
import { startWorker } from "./harness.mjs";

const w = await startWorker();
await w.r2.put("demo/knowledge/a.md", "alpha");
await w.r2.put("demo/knowledge/sub/b.md", "beta");
const admin = await w.admin("demo", "owner");
const c = await w.req("POST", "/v1/companies/demo/connections", { auth: `Bearer ${admin}`, body: { name: "schema", patterns: ["knowledge/"] } });
console.log(JSON.stringify({ base: w.base, admin, key: c.json.key, id: c.json.connection.id }));
process.on("SIGTERM", async () => {
  await w.dispose();
  process.exit(0);
});
setInterval(() => {}, 1 << 30);
