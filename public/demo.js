'use strict';
/*
 * The demo page: a speech front end in the browser. It connects to the service's WebSocket (with the
 * opt-in `sources` and `usage` features), sends typed or spoken text as partial and final ASR chunks,
 * and shows the statuses, the answer as it streams, its sources and timing, errors and raw frames.
 * Plain script, no build step, nothing loaded from elsewhere. Server text only ever goes in as
 * textContent.
 */
(() => {
  const $ = (id) => document.getElementById(id);
  const PARTIAL_MS = 120;
  const LOG_LINES = 500;
  const SETTLE_TIMEOUT_MS = 60_000;
  // Stages after which the server has dealt with a final chunk (`paused`: it ignored it).
  const SETTLING_STAGES = ['idle', 'waiting_for_question', 'paused', 'closed'];

  let socket;
  let answer; // the answer bubble being filled
  let settle = () => {}; // resolves the wait for the server to deal with the last final chunk
  let speaking = Promise.resolve(); // utterances are spoken one after another
  let queued; // { text, bubble } of a question the server queued behind the answer in flight
  let stopListening = () => {}; // stops the microphone, if it is on

  // --- Connection ----------------------------------------------------------------------------

  /** Same host as the page; `?ws=` overrides; the path comes from the server (WS_PATH is configurable). */
  async function defaultUrl() {
    const override = new URLSearchParams(location.search).get('ws');
    if (override) return override;
    let path = '/ws/realtime-asr';
    try {
      const response = await fetch('demo/config');
      if (response.ok) path = (await response.json()).wsPath;
    } catch {
      // Served by something else: keep the default path.
    }
    return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;
  }

  function connect() {
    let url;
    try {
      url = new URL($('url').value.trim());
    } catch {
      notice('That WebSocket URL is not valid.', 'error');
      return;
    }
    url.searchParams.set('features', 'sources,usage');
    const token = $('token').value.trim();
    if (token) url.searchParams.set('token', token);
    setState('connecting');
    logLine('event', `connecting to ${redacted(url)}`);
    const ws = new WebSocket(url);
    socket = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      setState('connected');
      logLine('event', 'open');
    };
    ws.onmessage = (event) => receive(event.data);
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = undefined;
      setState('disconnected');
      stopListening();
      closed(event, opened);
      settle();
    };
  }

  /** Says why the connection ended; one that never opened is most likely the URL, the server or the token. */
  function closed(event, opened) {
    const why = `${event.code}${event.reason ? `: ${event.reason}` : ''}`;
    logLine('event', `closed (${why})`);
    if (opened) notice(`Connection closed (${why}).`);
    else notice(`Could not connect (${why}). Is the server running at that URL, and does it need a token?`, 'error');
  }

  /** The URL with its token hidden, for the log. */
  function redacted(url) {
    const shown = new URL(url);
    if (shown.searchParams.has('token')) shown.searchParams.set('token', '***');
    return shown.toString();
  }

  function disconnect() {
    socket?.close(1000, 'closed by the demo page');
  }

  function setState(state) {
    const label = $('connection-state');
    label.textContent = state;
    label.className = `state ${state}`;
    $('connect').textContent = state === 'disconnected' ? 'Connect' : 'Disconnect';
    for (const button of document.querySelectorAll('.needs-connection')) button.disabled = state !== 'connected';
    if (state === 'disconnected') $('session-id').hidden = true;
  }

  /** The session the server says this connection belongs to (its own id, or the one we named). */
  function showSession(sessionId) {
    if (!sessionId) return;
    const label = $('session-id');
    label.textContent = `session ${sessionId}`;
    label.hidden = false;
  }

  function send(message) {
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      notice('Not connected.', 'error');
      return false;
    }
    const session = $('session').value.trim();
    const framed = session ? { ...message, session_id: session } : message;
    socket.send(JSON.stringify(framed));
    log('out', framed);
    return true;
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

  /** The prefixes a recogniser shows while someone talks: Chinese by character, other text by word. */
  function partials(text) {
    const tokens = text.match(/[\u3400-\u9fff\uf900-\ufaff]|[^\s\u3400-\u9fff\uf900-\ufaff]+\s*|\s+/g) || [text];
    const steps = Math.min(3, tokens.length - 1);
    return Array.from({ length: steps }, (_, i) =>
      tokens
        .slice(0, Math.ceil(((i + 1) * tokens.length) / (steps + 1)))
        .join('')
        .trim(),
    );
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Partials, the final chunk, then wait until the server has settled it (answered, or no question). */
  async function speak(utterance) {
    for (const text of partials(utterance)) {
      if (!send({ type: 'asr_chunk', text, is_final: false })) return false;
      await sleep(PARTIAL_MS);
    }
    const settled = new Promise((resolve) => {
      const timer = setTimeout(resolve, SETTLE_TIMEOUT_MS);
      settle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    if (!send({ type: 'asr_chunk', text: utterance, is_final: true })) return false;
    await settled;
    return true;
  }

  /** Speaks the text's utterances in order, after anything still being spoken; stops if the connection goes. */
  function sendTranscript(text) {
    const said = utterances(text);
    if (said.length === 0) return;
    speaking = speaking.then(async () => {
      for (const utterance of said) if (!(await speak(utterance))) return;
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
          if (text) send({ type: 'asr_chunk', text, is_final: result.isFinal });
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

  function receive(data) {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      logLine('in', String(data));
      notice('The server sent a frame that is not JSON.', 'error');
      return;
    }
    log('in', message);
    switch (message.type) {
      case 'ack':
        return showSession(message.session_id);
      case 'status':
        return onStatus(message);
      case 'answer':
        return onAnswerChunk(message);
      case 'sources':
        return answer && showSources(answer, message.sources);
      case 'usage':
        return answer && showUsage(answer, message);
      case 'error':
        showError(message);
        return settle();
    }
  }

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

  function onAnswerChunk(chunk) {
    if (chunk.stream_index === 0 || !answer) {
      answer = $('answer-template').content.firstElementChild.cloneNode(true);
      answer.dataset.final = 'false';
      $('conversation').append(answer);
    }
    const text = answer.querySelector('.answer-text');
    text.textContent = chunk.replace ? chunk.content : text.textContent + chunk.content;
    if (chunk.final) {
      answer.dataset.final = 'true';
      if (chunk.finish_reason && chunk.finish_reason !== 'complete')
        answer.querySelector('.finish').textContent = `(${chunk.finish_reason})`;
    }
    scrollToEnd();
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
    if (socket) disconnect();
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
    button.addEventListener('click', () => send({ type: 'control', action: button.dataset.action }));
  }
  $('clear').addEventListener('click', () => {
    $('conversation').replaceChildren();
    answer = queued = undefined;
  });
  setUpMicrophone();
  defaultUrl().then((url) => {
    $('url').value = url;
    connect();
  });
})();
