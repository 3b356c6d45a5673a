// The endpoint families the gateway forwards without a route of its own, with the official Node SDK as a browser-less
// app would use them: embeddings (the SDK asks for base64 and decodes it), moderations, files, speech and its
// transcription streamed as events, images streamed with partial images, a vector store's search, and a second
// owner's key refused on the first owner's file. Prints one JSON line; exits non-zero on any error.
const { OpenAI, toFile, NotFoundError } = require('openai');

const base = { baseURL: process.env.SWITCHBOARD_BASE_URL, maxRetries: 0 };
const client = new OpenAI({ apiKey: process.env.SWITCHBOARD_KEY, ...base });
const other = new OpenAI({ apiKey: process.env.SWITCHBOARD_OTHER_KEY, ...base });
const timer = setTimeout(() => fail('the calls did not end within 60 s'), 60000);

function fail(message) {
  console.error('FAILED: ' + message);
  process.exit(2);
}

async function refusedAsUnknown(call) {
  try {
    await call();
  } catch (e) {
    if (e instanceof NotFoundError) return true;
    throw e;
  }
  return false;
}

async function main() {
  const result = {};

  const embedding = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['one text', 'another'] });
  result.embeddings = { count: embedding.data.length, dimensions: embedding.data[0].embedding.length,
    promptTokens: embedding.usage.prompt_tokens, requestId: embedding._request_id };

  const moderation = await client.moderations.create({ model: 'omni-moderation-latest', input: 'hello there' });
  result.moderation = { results: moderation.results.length, flagged: moderation.results[0].flagged };

  const text = 'Notes kept by the first owner. The gateway holds the key.';
  const file = await client.files.create({ file: await toFile(Buffer.from(text), 'notes.txt'), purpose: 'assistants' });
  const content = await (await client.files.content(file.id)).text();
  const listed = [];
  for await (const f of client.files.list()) listed.push(f.id);
  const otherListed = [];
  for await (const f of other.files.list()) otherListed.push(f.id);
  result.files = { id: file.id, roundTrip: content === text, listed: listed.includes(file.id),
    listedForOther: otherListed.includes(file.id),
    otherRefused: await refusedAsUnknown(() => other.files.retrieve(file.id)) };

  const sentence = 'every stream arrives event by event';
  const speech = await client.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'alloy', input: sentence,
    response_format: 'wav' });
  const audio = Buffer.from(await speech.arrayBuffer());
  const transcription = await client.audio.transcriptions.create({ model: 'gpt-4o-mini-transcribe',
    file: await toFile(audio, 'speech.wav'), stream: true });
  const deltas = [];
  let done = null;
  for await (const event of transcription) {
    if (event.type === 'transcript.text.delta') deltas.push(event.delta);
    if (event.type === 'transcript.text.done') done = event;
  }
  result.transcription = { deltas: deltas.length, joined: deltas.join(''), text: done && done.text,
    totalTokens: done && done.usage && done.usage.total_tokens };

  const images = await client.images.generate({ model: 'gpt-image-1', prompt: 'a lighthouse', size: '1024x1024',
    stream: true, partial_images: 2 });
  const imageEvents = [];
  let pngs = 0;
  for await (const event of images) {
    imageEvents.push(event.type);
    if (Buffer.from(event.b64_json, 'base64').subarray(1, 4).toString() === 'PNG') pngs++;
  }
  result.images = { events: imageEvents, pngs };

  const store = await client.vectorStores.create({ name: 'notes', file_ids: [file.id] });
  let current = store;
  for (let i = 0; i < 100 && current.status !== 'completed'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    current = await client.vectorStores.retrieve(store.id);
  }
  const hits = [];
  for await (const hit of client.vectorStores.search(store.id, { query: 'who holds the key' })) hits.push(hit.file_id);
  result.vectorStore = { status: current.status, firstHit: hits[0],
    otherRefused: await refusedAsUnknown(() => other.vectorStores.retrieve(store.id)) };

  console.log(JSON.stringify(result));
  clearTimeout(timer);
}

main().catch((e) => fail(e.stack || String(e)));
