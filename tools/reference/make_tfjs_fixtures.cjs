#!/usr/bin/env node
// TensorFlow.js (npm @tensorflow/tfjs, pure JavaScript backend) saves of Keras-style models in the layers format, for
// the `netgen` import tests: Tests/NetGen.Cli.Tests/Fixtures/tfjs/<name>/model.json + group1-shard1of1.bin, and
// <name>.json with inputs and tf.js' own predictions on them.
//
// Run:  (cd /tmp && npm install @tensorflow/tfjs) && NODE_PATH=/tmp/node_modules node tools/reference/make_tfjs_fixtures.cjs
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');

const OUT = path.join(__dirname, '..', '..', 'Tests', 'NetGen.Cli.Tests', 'Fixtures', 'tfjs');

// A small deterministic generator (tf.js initializers take seeds too, but we also set BN statistics by hand).
let state = 12345;
function rand() {
  state = (state * 1103515245 + 12345) % 2147483648;
  return state / 2147483648;
}
function tensor(shape, lo, hi) {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = lo + (hi - lo) * rand();
  return tf.tensor(v, shape);
}

async function save(name, model, inputShape, batch) {
  const dir = path.join(OUT, name);
  fs.mkdirSync(dir, { recursive: true });
  // Every weight random (biases and BatchNormalization statistics included), so that nothing passes by being zero.
  for (const layer of model.layers) {
    const ws = layer.getWeights();
    if (ws.length === 0) continue;
    layer.setWeights(ws.map((w) => (w.name && w.name.includes('moving_variance')) ? tensor(w.shape, 0.5, 1.5) : tensor(w.shape, -0.5, 0.5)));
  }
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    fs.writeFileSync(path.join(dir, 'group1-shard1of1.bin'), Buffer.from(artifacts.weightData));
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({
      format: 'layers-model',
      generatedBy: 'TensorFlow.js tfjs-layers v' + tf.version.layers,
      convertedBy: null,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: artifacts.weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const x = tensor([batch, ...inputShape], -1, 1);
  const y = model.predict(x);
  fs.writeFileSync(path.join(OUT, name + '.json'), JSON.stringify({
    inputShape: x.shape, input: Array.from(x.dataSync()), outputShape: y.shape, output: Array.from(y.dataSync()),
  }));
}

async function main() {
  await tf.setBackend('cpu');
  const seq = tf.sequential();
  seq.add(tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }));
  seq.add(tf.layers.batchNormalization({ epsilon: 0.001 }));
  seq.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  seq.add(tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'valid', activation: 'elu' }));
  seq.add(tf.layers.flatten());
  seq.add(tf.layers.dropout({ rate: 0.25 }));
  seq.add(tf.layers.dense({ units: 5, activation: 'softmax' }));
  await save('tfjs_cnn', seq, [8, 8, 3], 3);

  const input = tf.input({ shape: [10] });
  const a = tf.layers.dense({ units: 8, activation: 'tanh' }).apply(input);
  const b = tf.layers.dense({ units: 8, activation: 'selu' }).apply(input);
  const merged = tf.layers.concatenate().apply([a, tf.layers.multiply().apply([a, b])]);
  const out = tf.layers.dense({ units: 3, activation: 'sigmoid' }).apply(merged);
  await save('tfjs_functional', tf.model({ inputs: input, outputs: out }), [10], 4);
}

main();
