"""Configuration of every IPython kernel started from the course's environment.

``make install`` copies this file to ``.venv/etc/ipython/``, where IPython looks for the
environment's kernel configuration (``sys.prefix/etc/ipython``). It is read by the kernels
that the book build, the notebook tests and JupyterLab start.

A kernel started by a local client talks to it over TCP on 127.0.0.1 and logs, at every
start, that this traffic is not encrypted. On one's own machine that is how every local
Jupyter kernel works, and in a headless build the message repeats for every notebook, so
this filter drops exactly that message; every other message of the kernel still shows.
"""

import logging


class _NoPlainTcpWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "running over TCP without encryption" not in record.getMessage()


c = get_config()  # noqa: F821 - IPython provides get_config in configuration files
c.IPKernelApp.logging_config = {
    "filters": {"no_plain_tcp_warning": {"()": _NoPlainTcpWarning}},
    "handlers": {"console": {"filters": ["no_plain_tcp_warning"]}},
}
