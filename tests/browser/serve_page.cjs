// The page of `ltx2 serve`, driven in headless chromium: submit a demo job from the form, wait
// until the finished video plays in the page, check the job list, save a screenshot.
//   node serve_page.cjs LTX2_BINARY NPM_DIR OUTPUT_DIR        (LTX2_DEMO_DIR may name the demo model)
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const [ltx2, npmDir, outDir] = process.argv.slice(2);
if (!ltx2 || !npmDir || !outDir) {
  console.error('usage: node serve_page.cjs LTX2_BINARY NPM_DIR OUTPUT_DIR');
  process.exit(2);
}
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
if (!fs.existsSync(chromium)) {
  console.error(`${chromium}: no chromium; run scripts/install-deps.sh (Debian package chromium) or set CHROMIUM`);
  process.exit(1);
}
let puppeteer;
try {
  puppeteer = require(path.join(npmDir, 'node_modules', 'puppeteer-core'));
} catch (e) {
  console.error(`${npmDir}: no puppeteer-core there; run scripts/install-deps.sh (${e.message})`);
  process.exit(1);
}

function startServer(dataDir) {
  const server = spawn(ltx2, ['serve', '--demo', '--port', '0', '--data-dir', dataDir],
                       { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve({ server, url: m[1] });
    });
    server.on('exit', (code) => reject(new Error(`ltx2 serve exited with ${code} before listening`)));
  });
}

async function main() {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const { server, url } = await startServer(path.join(outDir, 'data'));
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--autoplay-policy=no-user-gesture-required'],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 800 });
    const problems = [];
    page.on('pageerror', (e) => problems.push('page error: ' + e.message));
    page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
    await page.goto(url + '/', { waitUntil: 'load' });
    await page.waitForFunction(() => document.getElementById('model').textContent === 'ltx-2-demo');

    await page.type('#prompt', 'a paper lantern drifting over a river at night');
    await page.type('#num-frames', '9');
    await page.type('#seed', '5');
    await page.click('#submit');

    // The finished video is loaded into the page's <video>.
    await page.waitForFunction(() => {
      const v = document.getElementById('player');
      return !v.hidden && v.readyState >= 2 && v.videoWidth > 0;
    }, { timeout: 120000 });
    const video = await page.$eval('#player', (v) => ({ width: v.videoWidth, height: v.videoHeight,
                                                           duration: v.duration, progress: document.getElementById('progress').value }));
    await page.waitForFunction(() => [...document.querySelectorAll('#jobs tbody tr')]
      .some((row) => row.cells[2].textContent === 'completed'), { timeout: 10000 });
    const rows = await page.$$eval('#jobs tbody tr', (rs) => rs.map((r) => [...r.cells].map((c) => c.textContent)));
    await page.screenshot({ path: path.join(outDir, 'serve-page.png'), fullPage: true });

    const failures = [];
    if (video.width !== 192 || video.height !== 128) failures.push(`video is ${video.width}x${video.height}, expected 192x128`);
    if (!(video.duration > 0.3)) failures.push(`video duration ${video.duration}, expected 9 frames at 24 fps`);
    if (video.progress !== 100) failures.push(`progress bar at ${video.progress}, expected 100`);
    if (rows.length !== 1 || !rows[0][0].includes('paper lantern')) failures.push('job list: ' + JSON.stringify(rows));
    failures.push(...problems);
    if (failures.length) throw new Error(failures.join('\n'));
    console.log(`ok: ${video.width}x${video.height}, ${video.duration.toFixed(3)} s played in the page; screenshot ${path.join(outDir, 'serve-page.png')}`);
  } finally {
    await browser.close();
    server.kill('SIGTERM');
  }
}

main().catch((e) => {
  console.error('FAILED: ' + e.message);
  process.exit(1);
});
