"""Trains the paper's 5-150-3 network on Yin-Yang through the Python package: the same
preset (``Setup("yin_yang_paper")``, the Rust ``Setup::yin_yang_paper``), the same data,
the same library code, so the same seed gives the same weights as
``cargo run --release --example yinyang`` bit for bit.

    python bindings/python/examples/yinyang.py [--seed S] [--epochs E] [--quiet]
        [--save CKPT] [--compare CKPT]

``--compare CKPT`` checks the trained weights bit for bit against a checkpoint written by
the Rust example (``cargo run --release --example yinyang -- --save CKPT``). The thread
count follows ``RAYON_NUM_THREADS`` (all cores by default); results do not depend on it.
"""

import argparse
import sys
import time

import numpy as np

import fpsnn


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=None, help="default: the preset's 300")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or per-epoch lines")
    parser.add_argument("--save", help="write a checkpoint (the Rust format) here")
    parser.add_argument("--compare", help="a checkpoint of the Rust example to compare the weights with")
    args = parser.parse_args()

    setup = fpsnn.Setup("yin_yang_paper")  # 5-150-3, Adam 5e-4, batch 150, 300 epochs
    setup.seed = args.seed
    if args.epochs is not None:
        setup.epochs = args.epochs
    data = setup.load_data()  # the official train, validation and test sets
    start = time.perf_counter()
    trainer = setup.trainer()

    def report(record):
        if not args.quiet and record["test_accuracy"] is not None:
            print(
                f"epoch {record['epoch']:3d}  loss {record['train_loss']:.4f}  "
                f"validation {100 * record['validation_accuracy']:.2f}%  test {100 * record['test_accuracy']:.2f}%",
                flush=True,
            )

    trainer.fit(
        data["train"],
        validation=data["validation"],
        test=data["test"],
        progress=not args.quiet,
        callback=report,
    )
    wall = time.perf_counter() - start
    test = trainer.evaluate(data["test"])["accuracy"]
    validation = trainer.evaluate(data["validation"])["accuracy"]
    print(
        f"seed {args.seed}: test accuracy {100 * test:.2f}%  validation {100 * validation:.2f}%  "
        f"epochs {trainer.epoch}  wall {wall:.1f}s"
    )
    print(f"weights FNV-1a {fpsnn.weights_fingerprint(trainer.network)}")
    if args.save:
        trainer.save(args.save)
    if args.compare:
        rust = setup.resume(args.compare).network.flat_weights()
        ours = trainer.network.flat_weights()
        same = np.array_equal(rust.view(np.int64), ours.view(np.int64))
        print(f"weights {'bit-identical to' if same else 'DIFFERENT from'} {args.compare}")
        if not same:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
