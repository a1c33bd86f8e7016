# tsvae dashboard on an NVIDIA GPU.
#   docker build -t tsvae .
#   docker run --gpus all -p 5006:5006 tsvae                      # http://localhost:5006/
#   docker run --gpus all -p 5006:5006 -e TSVAE_ALLOW_ORIGIN=myhost:5006 tsvae
#   docker run --gpus all --network host tsvae ray start --address HOST:6379 --block  # a Ray worker
# TensorFlow's CUDA libraries come from pip (the project's "gpu" extra,
# tensorflow[and-cuda]); the host needs only the NVIDIA driver and container toolkit.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    TF_CPP_MIN_LOG_LEVEL=2

WORKDIR /opt/tsvae
# Dependencies come from pyproject.toml only; the sources are copied before installing
# because the package itself is installed (it provides the `tsvae` command).
COPY pyproject.toml README.md ./
COPY tsvae_core ./tsvae_core
COPY app ./app
# "ray": the image also serves as a Ray worker (docs/dashboard.md: Runs on a Ray cluster).
RUN pip install ".[gpu,data,sweep,ray]"

RUN useradd --create-home tsvae
USER tsvae

EXPOSE 5006
# Browsers may open the page only from origins listed here (comma-separated host:port);
# set it to the name people use to reach this container.
ENV TSVAE_ALLOW_ORIGIN=localhost:5006
# Concurrent trainings: by default 1 per visible GPU (2 without a GPU).
# ENV TSVAE_MAX_RUNS=1
CMD ["tsvae", "--address", "0.0.0.0", "--port", "5006"]
