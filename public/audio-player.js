/*
 * The demo page's player of a spoken answer: the audio file whose pieces the `audio` messages carry,
 * played with an <audio> element. Its type comes from its first bytes, never assumed: Dify speaks
 * MP3, the embedded local server WAV.
 */

/**
 * Plays the audio whose pieces are appended, in `audio`: MP3 as its pieces come (MediaSource) where
 * the browser can, any other type whole at its end. `tell` gets why it cannot load or play the audio,
 * and '' once it plays.
 */
export function audioPlayer(audio, tell) {
  let type = '';
  audio.hidden = false;
  audio.addEventListener('error', () =>
    tell(`Cannot play the spoken answer (${type || 'an unknown type'}): ${mediaProblem(audio.error)}.`),
  );
  audio.addEventListener('playing', () => tell(''));
  let sink; // where the bytes go, once the first piece told their type
  return {
    append: (bytes) => {
      if (!sink) {
        type = audioType(bytes);
        sink = type === 'audio/mpeg' && window.MediaSource?.isTypeSupported(type) ? streamed(audio, tell) : whole(audio, type, tell);
      }
      sink.append(bytes);
    },
    // No audio at all: nothing to show.
    end: () => (sink ? sink.end() : (audio.hidden = true)),
  };
}

/** The audio's MIME type by its magic number; '' when unknown. */
export function audioType(bytes) {
  const text = (from, to) => String.fromCharCode(...bytes.subarray(from, to));
  if (text(0, 4) === 'RIFF' && text(8, 12) === 'WAVE') return 'audio/wav';
  // An ID3 tag, or an MPEG audio frame's sync (11 bits) with a layer (00 would be AAC's ADTS).
  if (text(0, 3) === 'ID3' || (bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0 && (bytes[1] & 0x06) !== 0)) return 'audio/mpeg';
  if (text(0, 4) === 'OggS') return 'audio/ogg';
  return '';
}

/** The pieces kept, played as one file at the end (of an unknown type, the browser reads it from the bytes). */
function whole(audio, type, tell) {
  const pieces = [];
  return {
    append: (bytes) => pieces.push(bytes),
    end: () => {
      audio.src = URL.createObjectURL(new Blob(pieces, type ? { type } : {}));
      play(audio, tell);
    },
  };
}

/** MP3 played as its pieces come, through a MediaSource. */
function streamed(audio, tell) {
  const source = new MediaSource();
  const waiting = [];
  let buffer;
  let ended = false;
  // One append at a time: a SourceBuffer refuses another while it is updating.
  const pump = () => {
    if (!buffer || buffer.updating) return;
    if (waiting.length > 0) buffer.appendBuffer(waiting.shift());
    else if (ended && source.readyState === 'open') source.endOfStream();
  };
  source.addEventListener(
    'sourceopen',
    () => {
      buffer = source.addSourceBuffer('audio/mpeg');
      buffer.addEventListener('updateend', pump);
      pump();
    },
    { once: true },
  );
  audio.src = URL.createObjectURL(source);
  play(audio, tell);
  return {
    append: (bytes) => {
      waiting.push(bytes);
      pump();
    },
    end: () => {
      ended = true;
      pump();
    },
  };
}

function play(audio, tell) {
  audio.play().catch((error) => {
    // AbortError: paused for the next answer before it started. A source that fails to load is the element's error.
    if (error.name === 'AbortError' || audio.error) return;
    tell(
      error.name === 'NotAllowedError'
        ? 'The browser did not let the page play sound: press ▶ on the answer, or allow this site to play sound.'
        : `Cannot play the spoken answer: ${error.message}`,
    );
  });
}

const MEDIA_ERRORS = {
  1: 'loading it was aborted',
  2: 'a network error',
  3: 'the browser could not decode it',
  4: 'the browser cannot play this format',
};

function mediaProblem(error) {
  return `${MEDIA_ERRORS[error?.code] ?? 'an unknown error'}${error?.message ? ` (${error.message})` : ''}`;
}
