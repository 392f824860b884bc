// Audio worklet of the Instrumeter page: gathers the first input channel into chunks of
// CHUNK samples and posts each full chunk (a Float32Array, transferred) to the page.
'use strict';

/** Samples per chunk posted to the page (~85 ms at 48 kHz). */
const CHUNK = 4096;

class MicTap extends AudioWorkletProcessor {
  // Starts with an empty chunk.
  constructor() {
    super();
    this.chunk = new Float32Array(CHUNK);
    this.filled = 0;
  }

  // Takes this render quantum's first channel; keeps the node alive.
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel) this.append(channel);
    return true;
  }

  // Appends samples to the chunk, posting it each time it is full.
  append(samples) {
    let offset = 0;
    while (offset < samples.length) {
      const n = Math.min(samples.length - offset, CHUNK - this.filled);
      this.chunk.set(samples.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
      if (this.filled === CHUNK) this.flush();
    }
  }

  // Posts the full chunk and starts a new one.
  flush() {
    this.port.postMessage(this.chunk, [this.chunk.buffer]);
    this.chunk = new Float32Array(CHUNK);
    this.filled = 0;
  }
}

registerProcessor('mic-tap', MicTap);
