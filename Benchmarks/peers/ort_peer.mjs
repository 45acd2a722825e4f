// ONNX Runtime peer of the NetGen quick benchmarks: times session.run on the models exported by compare.py.
// node ort_peer.mjs --models DIR [--threads N] [--seconds S] [--samples K]; prints one JSON object of seconds per call.
import ort from 'onnxruntime-node';

const args = process.argv.slice(2);
const opt = { models: null, threads: 1, seconds: 0.7, samples: 7 };
for (let i = 0; i < args.length; i++) {
  const key = args[i].replace(/^--/, '');
  opt[key] = key === 'models' ? args[++i] : Number(args[++i]);
}

async function time(run, seconds, samples) {
  let calls = 0;
  const t0 = process.hrtime.bigint();
  while (calls < 50 || Number(process.hrtime.bigint() - t0) / 1e9 < 0.25) { await run(); calls++; }
  const perCall = Number(process.hrtime.bigint() - t0) / 1e9 / calls;
  const reps = Math.max(1, Math.floor(seconds / samples / perCall));
  const slices = [];
  for (let s = 0; s < samples; s++) {
    const start = process.hrtime.bigint();
    for (let r = 0; r < reps; r++) await run();
    slices.push(Number(process.hrtime.bigint() - start) / 1e9 / reps);
  }
  slices.sort((a, b) => a - b);
  return slices[Math.floor(samples / 2)];
}

const results = {};
for (const model of ['mlp', 'cnn']) {
  const session = await ort.InferenceSession.create(`${opt.models}/${model}.onnx`, {
    intraOpNumThreads: opt.threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
  });
  for (const batch of [1, 256]) {
    const dims = model === 'mlp' ? [batch, 784] : [batch, 1, 28, 28];
    const data = new Float32Array(batch * 784);
    for (let i = 0; i < data.length; i++) data[i] = Math.random();
    const feeds = { x: new ort.Tensor('float32', data, dims) };
    results[`${model}_predict_b${batch}`] = await time(() => session.run(feeds), opt.seconds, opt.samples);
  }
}
console.log(JSON.stringify({ threads: opt.threads, results }));
