// One text turn with the official Node SDK's OpenAIRealtimeWS, which always connects over wss.
// Prints one JSON line with what it received; exits non-zero on any error.
const { OpenAI } = require('openai');
const { OpenAIRealtimeWS } = require('openai/realtime/ws');

const client = new OpenAI({ apiKey: process.env.SWITCHBOARD_KEY, baseURL: process.env.SWITCHBOARD_BASE_URL });
const rt = new OpenAIRealtimeWS({ model: process.env.REALTIME_MODEL || 'gpt-realtime' }, client);
const seen = [];
let text = '';
const timer = setTimeout(() => fail('no response.done within 20 s'), 20000);

function fail(message) {
  console.error('FAILED: ' + message);
  process.exit(2);
}

rt.on('error', (error) => fail(error.message));
rt.on('event', (event) => seen.push(event.type));
rt.socket.on('open', () => {
  rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'] } });
  rt.send({
    type: 'conversation.item.create',
    item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: process.argv[2] || 'hello' }] },
  });
  rt.send({ type: 'response.create' });
});
rt.on('response.output_text.delta', (event) => { text += event.delta; });
rt.on('response.done', (event) => {
  clearTimeout(timer);
  console.log(JSON.stringify({ text, status: event.response.status, usage: event.response.usage, first: seen[0] }));
  rt.close();
});
