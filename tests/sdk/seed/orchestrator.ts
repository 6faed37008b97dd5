import { getSecret } from "hq-vault";
// Orchestrator creates a token for each sub-agent
async function spawnWorker(name: string, task: string) {
// Each worker gets a 1-hour, 20-use token
const res = await fetch("https://localhost:13100/v1/tokens", {
method: "POST",
headers: {
Authorization: `Bearer ${orchestratorToken}`,
"Content-Type": "application/json",
},
body: JSON.stringify({
name: `worker-${name}-${Date.now()}`,
ttl: "1h",
max_uses: 20,
}),
});
const { token } = await res.json();
// Pass token to sub-agent
return runAgent(task, { HQ_VAULT_TOKEN: token });
}
