#!/usr/bin/env python3
"""The original faafo API's side of the queue, for interop tests: a JSON API in
Flask-Restless's shape over an in-memory table that publishes each created fractal as the
original does (kombu, serializer json, declaring only the exchange). Also publishes raw
bodies (POST /raw, for poison messages). Serves on 127.0.0.1 until --timeout seconds."""

import argparse
import json
import sys
import threading
import uuid as uuidlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import kombu

import original_faafo

FIELDS = ('uuid', 'width', 'height', 'iterations', 'xa', 'xb', 'ya', 'yb')
RESULT_FIELDS = ('duration', 'checksum', 'size', 'generated_by', 'pixel_checksum')


class API:
    def __init__(self, amqp_url):
        self.lock = threading.Lock()
        self.fractals = {}
        self.connection = kombu.Connection(amqp_url, connect_timeout=10)
        self.producer = self.connection.Producer()

    def publish(self, body, **options):
        with self.lock:
            self.producer.publish(body, exchange=original_faafo.task_exchange,
                                  declare=[original_faafo.task_exchange], routing_key='normal', **options)


def handler(api):
    class Handler(BaseHTTPRequestHandler):
        def answer(self, status, value):
            body = json.dumps(value).encode()
            self.send_response(status)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def body(self):
            return self.rfile.read(int(self.headers.get('Content-Length', 0)))

        def log_message(self, format, *args):
            sys.stderr.write('original_api: ' + format % args + '\n')

        def do_POST(self):
            if self.path == '/raw':
                api.publish(self.body(), content_type='application/octet-stream', content_encoding='binary')
                return self.answer(200, {})
            if self.path != '/v1/fractal':
                return self.answer(404, {'message': 'no route'})
            fractal = json.loads(self.body())
            fractal['uuid'] = fractal.get('uuid') or str(uuidlib.uuid4())
            with api.lock:
                api.fractals[fractal['uuid']] = dict(fractal)
            api.publish({key: fractal[key] for key in FIELDS}, serializer='json')
            self.answer(201, fractal)

        def do_GET(self):
            key = self.path.rsplit('/', 1)[-1]
            with api.lock:
                fractal = api.fractals.get(key)
            self.answer(200, fractal) if fractal else self.answer(404, {'message': 'no fractal ' + key})

        def do_PUT(self):
            key = self.path.rsplit('/', 1)[-1]
            result = json.loads(self.body())
            with api.lock:
                fractal = api.fractals.get(key)
                if fractal is None or self.path.endswith('/failure'):
                    return self.answer(404, {'message': 'no fractal ' + key})
                fractal.update({name: result.get(name) for name in RESULT_FIELDS})
                fractal['image_bytes'] = len(result.get('image', ''))
            self.answer(200, fractal)

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--amqp-url', required=True)
    parser.add_argument('--timeout', type=float, default=120, help='serve at most this many seconds')
    args = parser.parse_args()
    api = API(args.amqp_url)
    server = ThreadingHTTPServer(('127.0.0.1', 0), handler(api))
    threading.Timer(args.timeout, server.shutdown).start()
    print('listening on 127.0.0.1:%d' % server.server_address[1], flush=True)
    server.serve_forever()
    return 0


if __name__ == '__main__':
    sys.exit(main())
