// The Assistants tool round with the official Node SDK: a run streams to requires_action, the tool's output goes
// back with submitToolOutputsStream, and that stream runs to the end. No emulator script: the model calls the tool
// its user asks about, as OpenAI's would. Prints one JSON line; exits non-zero on any error.
const { OpenAI } = require('openai');

const client = new OpenAI({ apiKey: process.env.SWITCHBOARD_KEY, baseURL: process.env.SWITCHBOARD_BASE_URL });
const timer = setTimeout(() => fail('the tool round did not end within 30 s'), 30000);

function fail(message) {
  console.error('FAILED: ' + message);
  process.exit(2);
}

async function main() {
  const assistant = await client.beta.assistants.create({
    model: process.env.MODEL || 'gpt-4o-mini',
    tools: [{
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'The weather in a city.',
        parameters: {
          type: 'object',
          properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
          required: ['city', 'unit'],
          additionalProperties: false,
        },
      },
    }],
  });
  const thread = await client.beta.threads.create({
    messages: [{ role: 'user', content: "What's the weather in Paris today?" }],
  });
  const first = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
  const firstEvents = [];
  first.on('event', (event) => firstEvents.push(event.event));
  const waiting = await first.finalRun();
  if (waiting.status !== 'requires_action') fail('the run ended ' + waiting.status + ', not requires_action');
  const calls = waiting.required_action.submit_tool_outputs.tool_calls;
  const args = JSON.parse(calls[0].function.arguments);

  const second = client.beta.threads.runs.submitToolOutputsStream(waiting.id, {
    thread_id: thread.id,
    tool_outputs: calls.map((call) => ({ tool_call_id: call.id, output: '{"temperature":21}' })),
  });
  const secondEvents = [];
  let text = '';
  second.on('event', (event) => secondEvents.push(event.event));
  second.on('textDelta', (delta) => { text += delta.value; });
  const finished = await second.finalRun();
  const messages = await client.beta.threads.messages.list(thread.id);
  clearTimeout(timer);
  console.log(JSON.stringify({
    firstEvents, tool: calls[0].function.name, args, secondEvents, status: finished.status, text,
    messages: messages.data.map((m) => ({ role: m.role, status: m.status })),
    usage: finished.usage,
  }));
}

main().catch((error) => fail(error.stack || String(error)));
