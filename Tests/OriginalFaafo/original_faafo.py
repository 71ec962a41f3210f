"""What the original faafo's services share: the queue as its faafo/queues.py declares it."""

import kombu

task_exchange = kombu.Exchange('tasks', type='direct')
task_queue = kombu.Queue('normal', task_exchange, routing_key='normal')


def declare(url):
    """Declares exchange and queue the kombu way, as the original's services do on start."""
    with kombu.Connection(url, connect_timeout=10) as connection:
        task_queue(connection.default_channel).declare()
