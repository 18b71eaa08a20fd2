// The only module that imports onnxruntime-node (lint-enforced): the native
// runtime stays behind the Scorer interface.
import ort from 'onnxruntime-node';
import { ModelError } from './errors.js';
import { loadModelMetadata, TOPOLOGY_FEATURES } from './metadata.js';
import type { ExpectedFeatures, ModelMetadata } from './metadata.js';
import type { Scorer } from './scorer.js';

export interface OnnxScorerOptions {
  /** The ONNX model file, e.g. `models/fraud.onnx`. */
  readonly modelPath: string;
  /** Its metadata; default: the model path with `.onnx` replaced by `.metadata.json`. */
  readonly metadataPath?: string;
  /** What the topology computes; default the current feature set. */
  readonly expected?: ExpectedFeatures;
  /** onnxruntime intra-op threads; default 1 (the stream thread owns the core, batches are small). */
  readonly intraOpNumThreads?: number;
}

/**
 * Scores feature vectors with an ONNX classifier (a scikit-learn model
 * converted by skl2onnx with `zipmap=False`, so the probabilities are a
 * float tensor `[N, 2]`). The metadata's feature names, order and version
 * are checked against the topology when loading: a mismatch throws
 * VIGIL_ERR_MODEL_METADATA before any record is scored.
 */
export class OnnxScorer implements Scorer {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly metadata: ModelMetadata,
  ) {}

  /** Loads and checks the model; the returned scorer is ready to score. */
  static async load(options: OnnxScorerOptions): Promise<OnnxScorer> {
    const metadataPath = options.metadataPath ?? options.modelPath.replace(/\.onnx$/, '.metadata.json');
    const metadata = loadModelMetadata(metadataPath, options.expected ?? TOPOLOGY_FEATURES);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(options.modelPath, {
        intraOpNumThreads: options.intraOpNumThreads ?? 1,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      });
    } catch (cause) {
      throw new ModelError('VIGIL_ERR_MODEL_LOAD', `cannot load ONNX model ${options.modelPath}: ${(cause as Error).message}; run \`npm run train\``, {
        cause,
      });
    }
    checkSession(session, metadata, options.modelPath);
    return new OnnxScorer(session, metadata);
  }

  async score(rows: ReadonlyArray<readonly number[]>): Promise<number[]> {
    if (rows.length === 0) return [];
    const width = this.metadata.feature_names.length;
    const data = new Float32Array(rows.length * width);
    rows.forEach((row, i) => {
      if (row.length !== width) {
        throw new ModelError('VIGIL_ERR_MODEL_SCORE', `row ${i} has ${row.length} features, the model takes ${width}`);
      }
      data.set(row, i * width);
    });
    let output: ort.InferenceSession.ReturnType;
    try {
      const input = new ort.Tensor('float32', data, [rows.length, width]);
      output = await this.session.run({ [this.metadata.input_name]: input }, [this.metadata.output_name]);
    } catch (cause) {
      throw new ModelError('VIGIL_ERR_MODEL_SCORE', `ONNX inference failed on a batch of ${rows.length}: ${(cause as Error).message}`, { cause });
    }
    const probabilities = output[this.metadata.output_name]?.data as Float32Array | undefined;
    if (!probabilities || probabilities.length !== rows.length * 2) {
      throw new ModelError('VIGIL_ERR_MODEL_SCORE', `output "${this.metadata.output_name}" is not [${rows.length}, 2] probabilities`);
    }
    // Column 1 is the positive (fraud) class: skl2onnx keeps classes_ order [0, 1].
    return Array.from({ length: rows.length }, (_, i) => probabilities[i * 2 + 1] as number);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

function checkSession(session: ort.InferenceSession, metadata: ModelMetadata, path: string): void {
  const fail = (why: string): never => {
    throw new ModelError('VIGIL_ERR_MODEL_METADATA', `${path}: ${why}; the metadata file does not describe this model, retrain with \`npm run train\``);
  };
  if (!session.inputNames.includes(metadata.input_name)) fail(`no input "${metadata.input_name}" (inputs: ${session.inputNames.join(', ')})`);
  if (!session.outputNames.includes(metadata.output_name)) fail(`no output "${metadata.output_name}" (outputs: ${session.outputNames.join(', ')})`);
  const input = session.inputMetadata.find((m) => m.name === metadata.input_name);
  if (input?.isTensor) {
    const width = input.shape[1];
    if (typeof width === 'number' && width !== metadata.feature_names.length) {
      fail(`the model's input takes ${width} features but the metadata lists ${metadata.feature_names.length}`);
    }
  }
}
