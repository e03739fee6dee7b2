/*
 * The demo page: a speech front end in the browser. It talks to the service through the client
 * library (served at /client/, compiled from client/src) with the opt-in `sources`, `usage`,
 * `progress` and `suggested` features (and `tts` with "Speak answers"), sends typed or spoken text as
 * partial and final ASR chunks, and shows the statuses, the app's steps while an answer is prepared,
 * the answer as it streams, its sources and timing, 👍 / 👎 feedback, suggested follow-ups, errors
 * and raw frames, and plays spoken answers (saying beside "Speak answers" why, when it cannot). The
 * inputs box sets the session's inputs (a hello). When the connection drops it shows "reconnecting…"
 * and carries on: the library resumes the answer where it was. An ES module, no build step of its own, nothing loaded from elsewhere. Server text only
 * ever goes in as textContent.
 */
import { audioPlayer } from './audio-player.js';
import { RealtimeRagClient, speak } from './client/realtime-rag-client.js';

const $ = (id) => document.getElementById(id);
const PARTIAL_MS = 120;
const LOG_LINES = 500;
const SETTLE_TIMEOUT_MS = 60_000;
// Stages after which the server has dealt with a final chunk (`paused`: it ignored it).
const SETTLING_STAGES = ['idle', 'waiting_for_question', 'paused', 'closed'];

let client; // the RealtimeRagClient, while connected or reconnecting
let answer; // the latest answer's bubble
let settle = () => {}; // resolves the wait for the server to deal with the last final chunk
let speaking = Promise.resolve(); // utterances are spoken one after another
let queued; // { text, bubble } of a question the server queued behind the answer in flight
let stopListening = () => {}; // stops the microphone, if it is on
let feedbackSent = []; // { bubble, rating, before } of feedback sent and not yet acknowledged, oldest first
let feedbackAcked; // the latest acknowledged feedback: a failure at Dify comes after its ack
let answerFailed = false; // the latest answer ended with an error: the next error message is that answer's
let playing; // the <audio> speaking the latest answer
const players = new Map(); // answer id → the player of its audio pieces

// --- Connection ----------------------------------------------------------------------------

/** The server's `demo/config` for the token in the box (its apps depend on it), or undefined when served by something else. */
async function serverConfig() {
  const token = $('token').value.trim();
  try {
    const response = await fetch('demo/config', token ? { headers: { Authorization: `Bearer ${token}` } } : {});
    if (response.ok) return await response.json();
  } catch {
    // Served by something else.
  }
  return undefined;
}

/** Same host as the page; `?ws=` overrides; the path comes from the server (WS_PATH is configurable). */
function defaultUrl(config) {
  const override = new URLSearchParams(location.search).get('ws');
  if (override) return override;
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${config?.wsPath ?? '/ws/realtime-asr'}`;
}

/** The apps the token may use, offered when there is a choice (the connection names one with `?app=`). */
function showApps(config) {
  const apps = config?.apps ?? [];
  const chosen = $('app').value;
  $('app').replaceChildren(...apps.map((name) => new Option(name, name)));
  $('app').value = apps.includes(chosen) ? chosen : (config?.defaultApp ?? apps[0] ?? '');
  $('app-choice').hidden = apps.length < 2;
}

/**
 * `?token=` on the page's address (a static token, or a signed one your backend minted for this
 * link) fills the token field, and leaves the address bar, so it is neither bookmarked nor shared.
 */
function takeTokenFromAddress() {
  const address = new URL(location.href);
  const token = address.searchParams.get('token');
  if (token === null) return;
  $('token').value = token;
  address.searchParams.delete('token');
  history.replaceState(null, '', address);
}

/** A client of the service (the client library): it reconnects and resumes the answer by itself. */
function connect() {
  let url;
  try {
    url = new URL($('url').value.trim());
  } catch {
    notice('That WebSocket URL is not valid.', 'error');
    return;
  }
  const inputs = boxInputs();
  if (inputs === null) return;
  if (!$('app-choice').hidden && $('app').value) url.searchParams.set('app', $('app').value);
  setState('connecting');
  logLine('event', `connecting to ${redacted(url)}`);
  const connection = new RealtimeRagClient({
    url: url.toString(),
    token: $('token').value.trim() || undefined,
    sessionId: $('session').value.trim() || undefined,
    features: features(),
    inputs,
  });
  client = connection;
  feedbackSent = [];
  connection.on('connection', (change) => client === connection && onConnection(change));
  connection.on('message', (message) => {
    log('in', message);
    if (message.type === 'ack' && message.received_type === 'feedback') onFeedbackAck();
  });
  connection.on('sent', (message) => log('out', message));
  connection.on('status', onStatus);
  connection.on('progress', onProgress);
  connection.on('answer', onAnswer);
  connection.on('sources', (message) => answer && showSources(answer, message.sources));
  connection.on('usage', (message) => answer && showUsage(answer, message));
  connection.on('suggested', onSuggested);
  connection.on('audio', onAudio);
  connection.on('error', (error) => {
    if (isFeedbackError(error)) showFeedbackError(error);
    else showError(error);
    answerFailed = false;
    settle();
  });
}

/** The opt-in features the page shows: the spoken answer with "Speak answers". */
const features = () => ['sources', 'usage', 'progress', 'suggested', ...($('speak').checked ? ['tts'] : [])];

/** The inputs box: undefined when empty, else its JSON object; null, with the error shown, when it is not one. */
function boxInputs() {
  const text = $('inputs').value.trim();
  let inputs;
  try {
    inputs = text ? JSON.parse(text) : undefined;
  } catch {
    inputs = null;
  }
  const bad = inputs === null || (inputs !== undefined && (typeof inputs !== 'object' || Array.isArray(inputs)));
  $('inputs-error').textContent = bad ? 'Inputs must be a JSON object, e.g. {"tier":"gold"}.' : '';
  return bad ? null : inputs;
}

function onConnection(change) {
  const why = change.ended && `${change.ended.code}${change.ended.reason ? `: ${change.ended.reason}` : ''}`;
  switch (change.state) {
    case 'open':
      setState('connected');
      logLine('event', 'open');
      return showSession(client.sessionId);
    case 'reconnecting':
      logLine('event', `connection lost (${why}); reconnecting in ${change.retryInMs} ms`);
      // A browser cannot tell a refused token or origin from a server that is down: never connected, say so and stop.
      if (!change.everOpened) {
        notice(`Could not connect (${why}). Is the server running at that URL, and does it need a token?`, 'error');
        return client.close();
      }
      return setState('reconnecting');
    case 'closed':
      client = undefined;
      setState('disconnected');
      stopListening();
      settle();
      logLine('event', `closed${why ? ` (${why})` : ''}`);
      if (change.why) notice(`Connection closed (${why}): ${change.why}.`);
  }
}

/** The URL with its token hidden, for the log. */
function redacted(url) {
  const shown = new URL(url);
  if (shown.searchParams.has('token')) shown.searchParams.set('token', '***');
  return shown.toString();
}

const STATE_LABELS = { connecting: 'connecting', connected: 'connected', reconnecting: 'reconnecting…', disconnected: 'disconnected' };

/** While reconnecting, what is said waits in the client for the next connection. */
function setState(state) {
  const label = $('connection-state');
  label.textContent = STATE_LABELS[state];
  label.className = `state ${state}`;
  $('connect').textContent = state === 'disconnected' ? 'Connect' : 'Disconnect';
  for (const button of document.querySelectorAll('.needs-connection')) button.disabled = state !== 'connected' && state !== 'reconnecting';
  if (state === 'disconnected') $('session-id').hidden = true;
}

/** The session this page continues across reconnects (the server's id, or the one we named). */
function showSession(sessionId) {
  if (!sessionId) return;
  const label = $('session-id');
  label.textContent = `session ${sessionId}`;
  label.hidden = false;
}

/** A transcript piece; false (and a notice) when there is no client to take it. */
function say(text, isFinal) {
  if (client?.sendTranscript(text, isFinal)) return true;
  notice('Not connected.', 'error');
  return false;
}

// --- Speaking ------------------------------------------------------------------------------

/** Sentences, keeping their end punctuation; a newline always ends one. */
function utterances(text) {
  return (
    text
      .split(/\n+/)
      // After a run of 。！？?! (so "What?!" stays whole); after "." only before a space (so "3.5" does too).
      .flatMap((line) => line.split(/(?<=[。！？?!])(?![。！？?!])|(?<=\.)\s+/))
      .map((sentence) => sentence.trim())
      .filter(Boolean)
  );
}

/** Partials, the final chunk (the client library's `speak`), then wait until the server has settled it (answered, or no question). */
async function speakAndSettle(utterance) {
  let settled;
  // The wait begins with the final chunk: a settling status that came while the partials went out is not this utterance's.
  const sender = {
    sendTranscript: (text, isFinal) => {
      if (isFinal) settled = untilSettled();
      return say(text, isFinal);
    },
  };
  if (!(await speak(sender, utterance, { delayMs: PARTIAL_MS }))) return false;
  await settled;
  return true;
}

/** Resolves when the server has dealt with the final chunk just sent (settle), SETTLE_TIMEOUT_MS at most. */
function untilSettled() {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, SETTLE_TIMEOUT_MS);
    settle = () => {
      clearTimeout(timer);
      resolve();
    };
  });
}

/** Speaks the text's utterances in order, after anything still being spoken; stops if the connection goes. */
function sendTranscript(text) {
  const said = utterances(text);
  if (said.length === 0) return;
  speaking = speaking.then(async () => {
    for (const utterance of said) if (!(await speakAndSettle(utterance))) return;
  });
}

/** Where the browser has speech recognition: interim results as partials, final ones as finals. */
function setUpMicrophone() {
  const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  if (!Recognition) return;
  const button = $('mic');
  const language = $('mic-lang');
  button.hidden = language.hidden = false;
  let recognition;
  stopListening = () => recognition?.stop();
  button.addEventListener('click', () => {
    if (recognition) {
      recognition.stop();
      return;
    }
    recognition = new Recognition();
    recognition.lang = language.value;
    recognition.continuous = true;
    recognition.interimResults = true;
    recognition.onresult = (event) => {
      for (let i = event.resultIndex; i < event.results.length; i++) {
        const result = event.results[i];
        const text = result[0].transcript.trim();
        if (text) say(text, result.isFinal);
      }
    };
    recognition.onerror = (event) => notice(`Microphone: ${event.error}`, 'error');
    recognition.onend = () => {
      recognition = undefined;
      button.textContent = 'Microphone';
    };
    recognition.start();
    button.textContent = 'Stop listening';
  });
}

// --- What the server says ------------------------------------------------------------------

function onStatus(status) {
  const stage = $('stage');
  stage.textContent = status.stage;
  stage.dataset.stage = status.stage;
  $('stage-note').textContent = status.note || '';
  if ((status.stage === 'analyzing' || status.stage === 'instant_query') && status.question) showQuestion(status);
  if (SETTLING_STAGES.includes(status.stage)) settle();
}

/** The question bubble; a question queued behind the current answer is shown once, then marked asked. */
function showQuestion(status) {
  if (queued && queued.text === status.question && !status.note) {
    queued.bubble.classList.remove('queued');
    queued = undefined;
    return;
  }
  const question = bubble('question', status.question);
  if (status.note) {
    question.classList.add('queued');
    question.title = status.note;
    queued = { text: status.question, bubble: question };
  }
}

/** The bubble of answer `answerId`: the latest one, or a new one when that answer starts. */
function answerBubble(answerId) {
  if (answer?.dataset.answerId === answerId) return answer;
  const bubbleElement = $('answer-template').content.firstElementChild.cloneNode(true);
  bubbleElement.dataset.answerId = answerId;
  bubbleElement.dataset.final = 'false';
  for (const button of bubbleElement.querySelectorAll('.rate')) button.addEventListener('click', () => rate(bubbleElement, button));
  $('conversation').append(bubbleElement);
  return (answer = bubbleElement);
}

/** An answer grew, was replaced or ended; the client library keeps it whole across reconnects. */
function onAnswer(update) {
  const bubbleElement = answerBubble(update.answerId);
  bubbleElement.querySelector('.answer-text').textContent = update.text;
  if (update.text || update.final) bubbleElement.querySelector('.progress').hidden = true;
  if (update.final) {
    bubbleElement.dataset.final = 'true';
    answerFailed = update.finishReason === 'error';
    if (update.finishReason === 'complete') bubbleElement.querySelector('.feedback').hidden = false;
    else bubbleElement.querySelector('.finish').textContent = `(${update.finishReason})`;
  }
  scrollToEnd();
}

const STEP_LABELS = {
  'knowledge-retrieval': () => 'searching the knowledge base…',
  llm: () => 'thinking…',
  tool: (name) => `using ${name || 'a tool'}…`,
};

/** The step the app is on while the answer is prepared, until the step finishes or the answer's text starts. */
function onProgress(progress) {
  const line = answerBubble(progress.answer_id).querySelector('.progress');
  const label = STEP_LABELS[progress.step];
  if (progress.state === 'started' && label) {
    line.textContent = label(progress.name);
    line.dataset.step = progress.step;
    line.hidden = false;
  } else if (line.dataset.step === progress.step) line.hidden = true;
}

/** 👍 / 👎 on a completed answer; pressing the pressed one again takes the rating back. */
function rate(bubbleElement, button) {
  const before = bubbleElement.querySelector('.rate[aria-pressed="true"]')?.dataset.rating ?? null;
  const rating = before === button.dataset.rating ? null : button.dataset.rating;
  if (!client?.feedback(bubbleElement.dataset.answerId, rating)) return notice('Not connected.', 'error');
  bubbleElement.querySelector('.feedback-error').textContent = '';
  feedbackSent.push({ bubble: bubbleElement, rating, before });
}

/** Acks come in the order the feedback went: the oldest waiting is now shown as rated. */
function onFeedbackAck() {
  feedbackAcked = feedbackSent.shift();
  if (feedbackAcked) showRating(feedbackAcked.bubble, feedbackAcked.rating);
}

function showRating(bubbleElement, rating) {
  for (const button of bubbleElement.querySelectorAll('.rate'))
    button.setAttribute('aria-pressed', String(button.dataset.rating === rating));
}

/** An error after a feedback's ack that is not a failed answer's own: the answer is unknown, or Dify refused the rating. */
const isFeedbackError = (error) =>
  feedbackAcked !== undefined && !answerFailed && (error.code === 'UNKNOWN_ANSWER' || error.code.startsWith('UPSTREAM_'));

/** The rating shown goes back to what it was, and the error shows beside the buttons. */
function showFeedbackError(error) {
  const { bubble: bubbleElement, before } = feedbackAcked;
  feedbackAcked = undefined;
  showRating(bubbleElement, before);
  bubbleElement.querySelector('.feedback-error').textContent = `${error.code}: ${error.message}`;
}

/** Dify's follow-up questions as chips under the answer they follow: a click asks one at once. */
function onSuggested(message) {
  const bubbleElement = document.querySelector(`.answer[data-answer-id="${CSS.escape(message.answer_id)}"]`);
  if (!bubbleElement || message.questions.length === 0) return;
  const box = bubbleElement.querySelector('.suggested');
  box.replaceChildren(
    ...message.questions.map((question) => {
      const chip = element('button', 'chip needs-connection', question);
      chip.type = 'button';
      chip.addEventListener('click', () => say(question, true) && client.control('instant_query'));
      return chip;
    }),
  );
  box.hidden = false;
  scrollToEnd();
}

// --- Spoken answers --------------------------------------------------------------------------

/** "Speak answers" ticked or not: the connection's features follow at once; ticked, whether the Dify app speaks; unticked, silence. */
async function onSpeakChange() {
  client?.setFeatures(features());
  speechNote('');
  if (!$('speak').checked) return playing?.pause();
  let state;
  try {
    const app = $('app-choice').hidden ? '' : $('app').value;
    const response = await fetch(app ? `demo/speech?app=${encodeURIComponent(app)}` : 'demo/speech');
    if (response.ok) state = (await response.json()).textToSpeech;
  } catch {
    // Served by something else: nothing to tell.
  }
  if ($('speak').checked && SPEECH_STATES[state]) speechNote(SPEECH_STATES[state]);
}

/** Why answers are not spoken, by what the Dify app says of its text to speech (`GET /demo/speech`). */
const SPEECH_STATES = {
  off: 'Answers are not spoken: the Dify app has text to speech off (turn it on in the app’s features).',
  'no-auto-play': 'Answers are not spoken: the Dify app’s text to speech has auto-play off, so Dify sends no audio with its answers.',
  unknown: 'Cannot tell whether the Dify app speaks: it did not answer (is Dify reachable?).',
};

/** The line beside "Speak answers": why the page cannot speak, or nothing. */
function speechNote(text) {
  $('speak-note').textContent = text;
}

/** A piece of an answer's spoken audio (feature tts); the last one is empty, with `final`. It stops the previous answer's. */
function onAudio(message) {
  let player = players.get(message.answer_id);
  if (!player) {
    playing?.pause();
    playing = answerBubble(message.answer_id).querySelector('.spoken');
    players.set(message.answer_id, (player = audioPlayer(playing, speechNote)));
  }
  if (message.audio) player.append(Uint8Array.from(atob(message.audio), (char) => char.charCodeAt(0)));
  if (message.final) {
    player.end();
    players.delete(message.answer_id);
  }
}

function showSources(bubbleElement, sources) {
  const box = bubbleElement.querySelector('.sources');
  const list = box.querySelector('ol');
  list.replaceChildren(...sources.map(sourceItem));
  if (sources.length === 0) list.append(element('li', 'source', 'none cited'));
  box.hidden = false;
}

function sourceItem(source) {
  const item = element('li', 'source');
  const details = element('details');
  const summary = element('summary', '', source.document_name || '(untitled)');
  if (typeof source.score === 'number') summary.append(' ', element('span', 'score', source.score.toFixed(2)));
  details.append(summary, element('div', 'excerpt', source.content));
  item.append(details);
  return item;
}

function showUsage(bubbleElement, usage) {
  const parts = [];
  if (usage.first_chunk_ms !== undefined) parts.push(`first chunk ${usage.first_chunk_ms} ms`);
  parts.push(`answer ${usage.duration_ms} ms`);
  if (usage.total_tokens !== undefined) parts.push(`${usage.total_tokens} tokens`);
  const line = bubbleElement.querySelector('.usage');
  line.textContent = parts.join(' · ');
  line.hidden = false;
}

// --- Page helpers --------------------------------------------------------------------------

function element(tag, className = '', text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function bubble(kind, text) {
  const node = element('div', `bubble ${kind}`, text);
  $('conversation').append(node);
  scrollToEnd();
  return node;
}

/** An error frame: its code in bold, then its message. */
function showError(error) {
  const node = bubble('error', `: ${error.message}${error.retryable ? ' (retryable)' : ''}`);
  node.prepend(element('strong', 'code', error.code));
}

function notice(text, kind = 'notice') {
  bubble(kind, text);
}

function scrollToEnd() {
  const conversation = $('conversation');
  conversation.lastElementChild?.scrollIntoView({ block: 'nearest' });
}

function log(direction, message) {
  logLine(direction, JSON.stringify(message));
}

/** One line of the raw log (← in, → out, · connection events), oldest dropped past LOG_LINES. */
function logLine(kind, text) {
  const list = $('log');
  const arrow = { in: '←', out: '→' }[kind] || '·';
  list.append(element('li', kind, `${new Date().toTimeString().slice(0, 8)} ${arrow} ${text}`));
  while (list.childElementCount > LOG_LINES) list.firstElementChild.remove();
}

// --- Wiring --------------------------------------------------------------------------------

$('connection').addEventListener('submit', (event) => {
  event.preventDefault();
  if (client) client.close();
  else connect();
});
$('send').addEventListener('click', () => {
  sendTranscript($('transcript').value);
  $('transcript').value = '';
});
$('transcript').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) $('send').click();
});
for (const example of document.querySelectorAll('.example')) {
  example.addEventListener('click', () => sendTranscript(example.textContent));
}
for (const button of document.querySelectorAll('[data-action]')) {
  button.addEventListener('click', () => client?.control(button.dataset.action) || notice('Not connected.', 'error'));
}
$('inputs').addEventListener('change', () => {
  const inputs = boxInputs();
  // Emptied: the session's inputs are cleared.
  if (client && inputs !== null) client.setInputs(inputs ?? {});
});
$('speak').addEventListener('change', onSpeakChange);
$('token').addEventListener('change', async () => showApps(await serverConfig()));
// A connection's app is settled at its first question: another app is another connection.
$('app').addEventListener('change', () => {
  onSpeakChange();
  if (!client) return;
  client.close();
  connect();
});
$('clear').addEventListener('click', () => {
  $('conversation').replaceChildren();
  answer = queued = undefined;
});
setUpMicrophone();
onSpeakChange();
takeTokenFromAddress();
serverConfig().then((config) => {
  $('url').value = defaultUrl(config);
  showApps(config);
  connect();
});
