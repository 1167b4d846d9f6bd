#include "service/web_page.h"

namespace ltx2::service {

const std::string_view kWebPageHtml = R"PAGE(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ltx2 serve</title>
<link rel="stylesheet" href="/style.css">
<link rel="icon" href="data:,">
</head>
<body>
<header>
  <h1>ltx2 <span id="model"></span></h1>
  <label class="key">API key <input id="api-key" type="password" autocomplete="off" placeholder="if the server has one"></label>
</header>
<main>
  <section>
    <form id="create">
      <label>Prompt <textarea id="prompt" name="prompt" rows="4" required placeholder="A golden retriever runs across a sunlit meadow, birds singing"></textarea></label>
      <label>Negative prompt <textarea id="negative-prompt" name="negative_prompt" rows="2" placeholder="optional (guided pipelines)"></textarea></label>
      <div class="row">
        <label>Width <input id="width" name="width" type="number" min="32" step="32" placeholder="default"></label>
        <label>Height <input id="height" name="height" type="number" min="32" step="32" placeholder="default"></label>
        <label>Frames <input id="num-frames" name="num_frames" type="number" min="1" step="8" placeholder="8k+1"></label>
        <label>Seed <input id="seed" name="seed" type="number" min="0" placeholder="10"></label>
      </div>
      <label>Image (optional, the first frame) <input id="image" name="input_reference" type="file" accept="image/*"></label>
      <button id="submit" type="submit">Generate</button>
      <p id="form-error" class="error" role="alert"></p>
    </form>
    <div id="current" hidden>
      <h2>Job <code id="current-id"></code></h2>
      <progress id="progress" max="100" value="0"></progress>
      <p id="stage"></p>
      <video id="player" controls playsinline hidden></video>
    </div>
  </section>
  <section>
    <h2>Jobs</h2>
    <table id="jobs">
      <thead><tr><th>Prompt</th><th>Size</th><th>Status</th><th></th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
</main>
<script src="/app.js"></script>
</body>
</html>
)PAGE";

const std::string_view kWebPageScript = R"PAGE('use strict';
const $ = (id) => document.getElementById(id);
const keyInput = $('api-key');
keyInput.value = localStorage.getItem('ltx2-api-key') || '';
keyInput.addEventListener('change', () => { localStorage.setItem('ltx2-api-key', keyInput.value); refreshJobs(); });

function headers() {
  return keyInput.value ? { Authorization: 'Bearer ' + keyInput.value } : {};
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { ...headers(), ...(options.headers || {}) } });
  if (!response.ok) {
    let message = response.status + ' ' + response.statusText;
    try { const body = await response.json(); message = body.error.message; } catch (e) {}
    throw new Error(message);
  }
  return response;
}

// The server-sent events of a job, read with fetch so that the API key can be sent.
async function followEvents(id, onEvent) {
  const response = await api('/v1/videos/' + id + '/events');
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message', data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) name = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (data) onEvent(name, JSON.parse(data));
    }
  }
}

async function contentUrl(id) {
  const response = await api('/v1/videos/' + id + '/content');
  return URL.createObjectURL(await response.blob());
}

async function show(id) {
  $('current').hidden = false;
  $('current-id').textContent = id;
  const player = $('player');
  player.hidden = true;
  $('progress').value = 0;
  $('stage').textContent = 'queued';
  await followEvents(id, async (name, data) => {
    if (name === 'progress') {
      $('progress').value = data.progress;
      if (data.steps) $('stage').textContent = data.stage + ': step ' + data.step + ' of ' + data.steps;
    } else if (name === 'stage') {
      $('stage').textContent = data.stage;
    } else if (name === 'done') {
      $('progress').value = 100;
      $('stage').textContent = 'done in ' + data.timings.total_seconds.toFixed(1) + ' s';
      player.src = await contentUrl(id);
      player.hidden = false;
      refreshJobs();
    } else if (name === 'error') {
      $('stage').textContent = data.status + ': ' + data.error.message;
      refreshJobs();
    }
  });
}

$('create').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('form-error').textContent = '';
  const form = new FormData();
  for (const id of ['prompt', 'negative-prompt', 'width', 'height', 'num-frames', 'seed']) {
    const input = $(id);
    if (input.value !== '') form.append(input.name, input.value);
  }
  if ($('image').files.length) form.append('input_reference', $('image').files[0]);
  $('submit').disabled = true;
  try {
    const job = await (await api('/v1/videos', { method: 'POST', body: form })).json();
    refreshJobs();
    show(job.id).catch((e) => { $('stage').textContent = e.message; });
  } catch (e) {
    $('form-error').textContent = e.message;
  } finally {
    $('submit').disabled = false;
  }
});

function button(label, onClick) {
  const b = document.createElement('button');
  b.textContent = label;
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

async function download(id) {
  const a = document.createElement('a');
  a.href = await contentUrl(id);
  a.download = id + '.mp4';
  a.click();
}

async function refreshJobs() {
  let list;
  try {
    list = await (await api('/v1/videos?limit=50')).json();
  } catch (e) {
    $('form-error').textContent = e.message;
    return;
  }
  const body = $('jobs').tBodies[0];
  body.replaceChildren();
  for (const job of list.data) {
    const row = body.insertRow();
    row.dataset.id = job.id;
    row.insertCell().textContent = job.prompt;
    row.insertCell().textContent = job.size;
    const status = job.status === 'in_progress' ? job.status + ' ' + job.progress + '%' : job.status;
    row.insertCell().textContent = status;
    const actions = row.insertCell();
    if (job.status === 'queued' || job.status === 'in_progress')
      actions.append(button('Cancel', () => api('/v1/videos/' + job.id, { method: 'DELETE' }).then(refreshJobs)));
    if (job.status === 'completed') {
      actions.append(button('Play', () => show(job.id)));
      actions.append(button('Download', () => download(job.id)));
    }
    if (job.status !== 'queued' && job.status !== 'in_progress')
      actions.append(button('Delete', () => api('/v1/videos/' + job.id, { method: 'DELETE' }).then(refreshJobs)));
  }
}

api('/v1/models').then((r) => r.json()).then((m) => { $('model').textContent = m.data[0].id; }).catch(() => {});
refreshJobs();
setInterval(refreshJobs, 3000);
)PAGE";

const std::string_view kWebPageStyle = R"PAGE(body { font-family: system-ui, sans-serif; margin: 0; color: #222; background: #f6f6f4; }
header { display: flex; justify-content: space-between; align-items: center; padding: 0.5rem 1.5rem; background: #222; color: #eee; }
header h1 { font-size: 1.3rem; margin: 0; }
header h1 span { font-weight: normal; color: #aaa; font-size: 1rem; }
main { display: grid; grid-template-columns: minmax(20rem, 1fr) minmax(20rem, 1fr); gap: 1.5rem; padding: 1.5rem; }
@media (max-width: 50rem) { main { grid-template-columns: 1fr; } }
label { display: block; margin-bottom: 0.7rem; font-size: 0.9rem; }
textarea, input { display: block; width: 100%; box-sizing: border-box; margin-top: 0.2rem; font: inherit; padding: 0.3rem; }
header input { display: inline-block; width: 14rem; }
.row { display: grid; grid-template-columns: repeat(4, 1fr); gap: 0.5rem; }
button { font: inherit; padding: 0.3rem 0.9rem; margin-right: 0.3rem; cursor: pointer; }
.error { color: #b00020; }
progress { width: 100%; }
video { width: 100%; background: #000; margin-top: 0.5rem; }
table { width: 100%; border-collapse: collapse; font-size: 0.9rem; }
td, th { text-align: left; padding: 0.3rem; border-bottom: 1px solid #ddd; vertical-align: top; }
td:first-child { max-width: 18rem; overflow-wrap: anywhere; }
)PAGE";

}  // namespace ltx2::service
