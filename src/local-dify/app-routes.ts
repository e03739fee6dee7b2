import { HttpError } from './http-error';
import { sendJson } from './http-io';
import { LocalDifyOptions } from './local-dify.types';
import { RETRIEVAL_TOOL } from './reply-events';
import { Route } from './router';

export const APP_NAME = 'Local knowledge base';
export const OPENING_STATEMENT = '你好！可以问我关于 RAG、Dify 和 Acme 员工手册的问题。';
const DESCRIPTION = 'A Dify-compatible server answering from local markdown files.';
/** The app's starter questions; also the follow-ups suggested after an answer nothing was found for. */
export const SUGGESTED_QUESTIONS = ['什么是 RAG？', '年假有几天？', 'How do I reset my VPN password?'];

/** The app's description: `/parameters`, `/info`, `/meta`, `/site`; its mode's refusal of other apps' routes. Read per request, as tests change options mid-run. */
export function appRoutes(options: Required<LocalDifyOptions>): Route[] {
  return [
    { method: 'GET', path: /^\/v1\/parameters$/, handle: ({ res }) => sendJson(res, 200, parameters(options)) },
    {
      method: 'GET',
      path: /^\/v1\/info$/,
      handle: ({ res }) =>
        sendJson(res, 200, { name: APP_NAME, description: DESCRIPTION, tags: [], mode: options.appMode, author_name: 'realtime-rag' }),
    },
    {
      method: 'GET',
      path: /^\/v1\/meta$/,
      // An emoji icon for the one tool an agent app calls.
      handle: ({ res }) => sendJson(res, 200, { tool_icons: { [RETRIEVAL_TOOL]: { background: '#EFF4FF', content: '📚' } } }),
    },
    { method: 'GET', path: /^\/v1\/site$/, handle: ({ res }) => sendJson(res, 200, SITE) },
    // The routes of completion and workflow apps: a chat app's key gets Dify's refusals, not a 404.
    refusal(/^\/v1\/completion-messages$/, new HttpError(400, 'app_unavailable', 'App unavailable, please check your app configurations.')),
    refusal(/^\/v1\/workflows\/run$/, new HttpError(400, 'not_workflow_app', 'Please check if your app mode matches the right API route.')),
  ];
}

function refusal(path: RegExp, error: HttpError): Route {
  return {
    method: 'POST',
    path,
    handle: () => {
      throw error;
    },
  };
}

function parameters(options: Required<LocalDifyOptions>): object {
  return {
    opening_statement: OPENING_STATEMENT,
    suggested_questions: SUGGESTED_QUESTIONS,
    suggested_questions_after_answer: { enabled: true },
    speech_to_text: { enabled: false },
    text_to_speech: { enabled: options.tts, voice: 'default', language: 'zh-Hans', autoPlay: options.tts ? 'enabled' : 'disabled' },
    retriever_resource: { enabled: true },
    annotation_reply: { enabled: false },
    more_like_this: { enabled: false },
    user_input_form: options.inputForm,
    sensitive_word_avoidance: { enabled: false, type: '', configs: [] },
    file_upload: { image: { enabled: false, number_limits: 3, detail: 'high', transfer_methods: ['remote_url', 'local_file'] } },
    system_parameters: {
      image_file_size_limit: 10,
      video_file_size_limit: 100,
      audio_file_size_limit: 50,
      file_size_limit: 15,
      workflow_file_upload_limit: 10,
    },
  };
}

const SITE = {
  title: APP_NAME,
  chat_color_theme: '#1C64F2',
  chat_color_theme_inverted: false,
  icon_type: 'emoji',
  icon: '🤖',
  icon_background: '#FFEAD5',
  icon_url: null,
  description: DESCRIPTION,
  copyright: 'realtime-rag',
  privacy_policy: '',
  input_placeholder: null,
  custom_disclaimer: '',
  default_language: 'zh-Hans',
  show_workflow_steps: true,
  use_icon_as_answer_icon: false,
};
