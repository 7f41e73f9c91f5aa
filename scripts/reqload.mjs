// The cost of one request alone (README Performance, "Why a third…"): a closed loop of K keep-alive
// GETs of URL for SECONDS; prints requests/s and the server's core-ms per request from /proc/PID/stat.
//   node scripts/reqload.mjs URL K SECONDS PID
import http from 'node:http';
import fs from 'node:fs';
const [url, k = '4', secs = '5', pid] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(k) });
const cpu = () => { const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) / 100; };
let done = 0, stop = false;
const one = () => new Promise((res, rej) => { http.get(url, { agent }, r => { r.resume(); r.on('end', res); }).on('error', rej); });
const worker = async () => { while (!stop) { await one(); done++; } };
for (let i = 0; i < 200; i++) await one();
const c0 = cpu(), t0 = performance.now(); done = 0;
setTimeout(() => { stop = true; }, Number(secs) * 1000);
await Promise.all(Array.from({ length: Number(k) }, worker));
const el = (performance.now() - t0) / 1000, c = cpu() - c0;
console.log(JSON.stringify({ url, rps: +(done / el).toFixed(0), server_cpu_pct: +(c / el * 100).toFixed(1), core_ms_per_req: +(c * 1000 / done).toFixed(4) }));
