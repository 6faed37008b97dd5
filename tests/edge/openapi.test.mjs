// openapi/edge.json matches the routes the Worker serves: every documented method of every documented
// path exists, and every other method is refused with 405.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { root, startWorker } from "./harness.mjs";

let w;
before(async () => {
  w = await startWorker();
});
after(async () => {
  await w?.dispose();
});

test("every documented route is served and nothing else is", async () => {
  const doc = JSON.parse(fs.readFileSync(path.join(root, "openapi/edge.json"), "utf8"));
  assert.equal(doc.openapi, "3.1.0");
  const owner = await w.admin("docs", "owner");
  const created = await w.req("POST", "/v1/companies/docs/connections", { auth: `Bearer ${owner}`, body: { name: "d", patterns: ["*"] } });
  const id = created.json.connection.id;
  let checked = 0;
  for (const [template, item] of Object.entries(doc.paths)) {
    const p = template.replace("{company}", "docs").replace("{id}", id);
    for (const m of ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"]) {
      const documented = m.toLowerCase() in item;
      const a = await w.req(m, p, { auth: `Bearer ${owner}` });
      const noRoute = a.status === 404 && (a.json?.error?.message ?? "").startsWith("no such route");
      if (documented) {
        assert.ok(!noRoute && a.status !== 405, `${m} ${template} is documented but not served (${a.status})`);
      } else {
        assert.equal(a.status, 405, `${m} ${template} is served but not documented`);
        assert.ok(a.headers.get("allow"), `${m} ${template}: 405 without Allow`);
      }
      checked++;
    }
  }
  assert.ok(checked >= 48);
  for (const p of ["/v1/secrets/x", "/v1/companies/docs/admins", "/v1/companies/docs/connections/x/y/z", "/v2/connections/files"]) {
    assert.equal((await w.req("GET", p, { auth: `Bearer ${owner}` })).status, 404, p);
  }
});
