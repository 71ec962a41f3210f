#!/usr/bin/env python3
"""The original faafo worker, for interop tests: consume from `normal` (declared the kombu
way), render each task as the original does (c drawn at random, a PIL PNG), PUT the result
to the API, then acknowledge. Stops after --tasks results or --timeout seconds."""

import argparse
import base64
import hashlib
import io
import json
import random
import socket
import sys
import time

import kombu
import requests
from PIL import Image

import original_faafo


def julia(width, height, iterations, xa, xb, ya, yb):
    """The original's JuliaSet.draw, c chosen as its _set_point chooses it."""
    rng = random.Random()
    for _ in range(10000):
        c = complex(rng.random() * (xb - xa) + xa, rng.random() * (yb - ya) + ya)
        z, i = c, 0
        for i in range(iterations):
            if abs(z) > 2.0:
                break
            z = z * z + c
        if 10 < i < 100:
            break
    image = Image.new("RGB", (width, height))
    for y in range(height):
        zy = y * (yb - ya) / (height - 1) + ya
        for x in range(width):
            z = complex(x * (xb - xa) / (width - 1) + xa, zy)
            i = 0
            for i in range(iterations):
                if abs(z) > 2.0:
                    break
                z = z * z + c
            image.putpixel((x, y), (i % 8 * 32, i % 16 * 16, i % 32 * 8))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--amqp-url', required=True)
    parser.add_argument('--endpoint-url', help='the API; required unless --declare-only')
    parser.add_argument('--tasks', type=int, default=1, help='stop after this many results')
    parser.add_argument('--timeout', type=float, default=60, help='stop after this many seconds')
    parser.add_argument('--name', default=socket.gethostname(), help='generated_by (the host name by default)')
    parser.add_argument('--declare-only', action='store_true', help='declare the queue, then exit')
    args = parser.parse_args()

    if args.declare_only:
        original_faafo.declare(args.amqp_url)
        print('declared', flush=True)
        return 0

    done = []
    deadline = time.monotonic() + args.timeout

    def process(task, message):
        start = time.time()
        png = julia(task['width'], task['height'], task['iterations'],
                    task['xa'], task['xb'], task['ya'], task['yb'])
        result = {
            'uuid': task['uuid'],
            'duration': time.time() - start,
            'image': base64.b64encode(png).decode('ascii'),
            'checksum': hashlib.sha256(png).hexdigest(),
            'size': len(png),
            'generated_by': args.name,
        }
        response = requests.put('%s/v1/fractal/%s' % (args.endpoint_url, task['uuid']),
                                json.dumps(result), headers={'Content-Type': 'application/json'}, timeout=30)
        print('result of %s: %d' % (task['uuid'], response.status_code), flush=True)
        if response.status_code == 200:
            message.ack()
            done.append(task['uuid'])
        else:
            message.requeue()

    with kombu.Connection(args.amqp_url, connect_timeout=10) as connection:
        with connection.Consumer(original_faafo.task_queue, accept=['json'], callbacks=[process]):
            print('consuming', flush=True)
            while len(done) < args.tasks and time.monotonic() < deadline:
                try:
                    connection.drain_events(timeout=0.5)
                except socket.timeout:
                    pass
    print('done %d' % len(done), flush=True)
    return 0 if len(done) >= args.tasks else 1


if __name__ == '__main__':
    sys.exit(main())
