"""Two-process DistributedDataParallel on CPU (gloo, 127.0.0.1) with the probe attached.

Each rank trains on its own half of the data; DDP averages the gradients, so
the replicas stay identical. Rank 0 keeps its own copies of every gradient and
parameter around every step; the test then recomputes the statistics from
those copies (reference.py: the moments replayed in float64, never read from
the optimizer) and compares them with the run file rank 0 wrote. A second
training perturbs rank 1's weights once, and the run must say the ranks diverged.
"""
import datetime
import os
import socket
import subprocess
import sys
import tempfile
import unittest

from helpers import SimpleModel, read_run

import torch
import torch.distributed as dist
from reference import AdamReplay, assert_layer_close

STEPS = 8
EVERY = 2


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def worker(rank, world, port, log_dir, out_file, perturb_at):
    import weightscope_probe  # in the worker process
    import weightscope_probe.distributed
    weightscope_probe.distributed.BUCKET_ELEMENTS = 500  # several buckets for SimpleModel's tensors (one has 1,000)
    torch.set_num_threads(1)
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank, world_size=world,
                            timeout=datetime.timedelta(seconds=60))
    try:
        torch.manual_seed(0)  # the same initial weights on both ranks (DDP also broadcasts rank 0's)
        model = torch.nn.parallel.DistributedDataParallel(SimpleModel())
        opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=1e-2)
        probe = weightscope_probe.attach(opt, model, log_dir=log_dir, every=EVERY, steps=STEPS, verify_every=1,
                                         run_id='ddp', batch_size=16)
        gen = torch.Generator().manual_seed(100 + rank)  # each rank its own data
        x, y = torch.randn(STEPS * 16, 10, generator=gen), torch.randn(STEPS * 16, 1, generator=gen)
        seen = []
        for t in range(STEPS):
            print(f'rank {rank}: step {t + 1}', flush=True)
            xb, yb = x[t * 16:(t + 1) * 16], y[t * 16:(t + 1) * 16]
            loss = torch.nn.functional.mse_loss(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            before = {n: p.detach().clone() for n, p in model.module.named_parameters()}
            probe.log(loss)
            opt.step()
            seen.append({'loss': float(loss), 'before': before,
                         'grad': {n: p.grad.detach().clone() for n, p in model.module.named_parameters()},
                         'after': {n: p.detach().clone() for n, p in model.module.named_parameters()}})
            if perturb_at == t + 1 and rank == 1:
                with torch.no_grad():
                    model.module.fc2.weight.add_(1e-3)  # outside DDP's all-reduce: the replicas part ways
        probe.close()
        if rank == 0:
            torch.save(seen, out_file)
        print(f'rank {rank}: trained', flush=True)
        dist.barrier()  # rank 0 hosts the rendezvous store: nobody leaves while another rank still needs it
    finally:
        dist.destroy_process_group()
    print(f'rank {rank}: done', flush=True)
    # Every file is written and closed: leave at once, here. With torch 1.13's gloo a worker now and then spins
    # forever after this point, in the teardown of this frame's DDP model (seen in ~1 run of 5).
    os._exit(0)


def run_ddp(perturb_at=0):
    """Two worker processes, started as torchrun would (not multiprocessing.spawn: under
    `python -m unittest` a spawned child would run the test discovery again)."""
    log_dir = tempfile.mkdtemp()
    out_file = os.path.join(tempfile.mkdtemp(), 'seen.pt')
    port = free_port()
    logs = [tempfile.TemporaryFile() for _ in range(2)]  # files, not pipes: a full pipe cannot block a worker
    procs = [subprocess.Popen([sys.executable, __file__, str(rank), '2', str(port), log_dir, out_file, str(perturb_at)],
                              stdout=logs[rank], stderr=subprocess.STDOUT) for rank in range(2)]
    try:
        for p in procs:
            p.wait(timeout=120)
    except subprocess.TimeoutExpired:
        pass
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    for rank, (p, log) in enumerate(zip(procs, logs)):
        log.seek(0)
        if p.returncode != 0:
            raise AssertionError(f'DDP worker {rank} failed (exit {p.returncode}):\n{log.read().decode(errors="replace")}')
        log.close()
    return log_dir, torch.load(out_file)


@unittest.skipUnless(dist.is_available() and dist.is_gloo_available(), 'torch.distributed with gloo is not available')
class DistributedDataParallelRun(unittest.TestCase):
    def test_rank0_writes_statistics_that_match_an_independent_recomputation(self):
        log_dir, seen = run_ddp()
        self.assertEqual(os.listdir(log_dir), ['ddp'], 'only rank 0 writes, one run folder')
        meta, steps, snapshots = read_run(os.path.join(log_dir, 'ddp'))
        self.assertEqual(meta['status'], 'completed')
        self.assertEqual(meta['distributed']['worldSize'], 2)
        self.assertEqual(meta['distributed']['backend'], 'gloo')
        self.assertEqual(meta['distributed']['maxRankDifference'], 0.0)  # bit-identical replicas, checked
        self.assertNotIn('warnings', meta)
        self.assertEqual([s['step'] for s in steps], [1, 2, 4, 6, 8])
        replay = AdamReplay('adamw', 1e-2, weight_decay=1e-2)
        by_step = {s['step']: s for s in steps}
        for t, record in enumerate(seen, start=1):
            expected = {n: replay.layer(n, record['grad'][n], record['before'][n], record['after'][n]) for n in record['grad']}
            if t not in by_step:
                continue
            self.assertAlmostEqual(by_step[t]['loss'], record['loss'], delta=1e-6 * abs(record['loss']))
            for name, layer in expected.items():
                assert_layer_close(self, by_step[t]['layers'][name], layer, f'step {t} {name}')
        self.assertEqual([s['step'] for s in snapshots], [1, 2, 4, 6, 8])

    def test_diverging_replicas_are_reported_in_the_run(self):
        log_dir, _ = run_ddp(perturb_at=3)
        meta, _, _ = read_run(os.path.join(log_dir, 'ddp'))
        self.assertGreater(meta['distributed']['maxRankDifference'], 5e-4)
        self.assertTrue(meta['warnings'], 'a warning in run.json')
        self.assertRegex(meta['warnings'][0], r'^step 4: the 2 ranks disagree \(largest difference .* in fc2\.weight ')


if __name__ == '__main__':
    if len(sys.argv) == 7:  # a worker process of run_ddp
        rank, world, port, log_dir, out_file, perturb_at = sys.argv[1:]
        worker(int(rank), int(world), int(port), log_dir, out_file, int(perturb_at))
    else:
        unittest.main()
