# ltx2 in a container, built from this checkout: the build stage makes the Debian package with
# `cpack -G DEB`; the runtime stage installs it into debian:bookworm-slim with apt, which brings only
# the package's declared dependencies (scripts/test-deb-in-chroot.sh checks the same install in a
# minimal Debian 12 root).
#   docker build -t ltx2 .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/out" ltx2   # the demo model -> ./ltx2-demo.mp4
#   docker run --rm -v ~/models:/models:ro -v "$PWD:/out" ltx2 --model-dir /models -p "a cat" -o /out/cat.mp4

FROM debian:bookworm AS build
# The build dependencies of scripts/install-deps.sh, without what only the tests use (GoogleTest,
# Google Benchmark, sox, redis-server, chromium, Node.js); dpkg-dev (dpkg-shlibdeps) and file are
# what CPack's Debian generator runs. Debian's oneDNN is built with its OpenCL GPU runtime, so its
# CMake package needs the OpenCL headers, which libdnnl-dev only recommends: ocl-icd-opencl-dev.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config dpkg-dev file \
      libdnnl-dev ocl-icd-opencl-dev libhwy-dev nlohmann-json3-dev libfmt-dev libcli11-dev \
      libavformat-dev libavcodec-dev libswscale-dev libswresample-dev libavutil-dev libstb-dev libjpeg62-turbo-dev \
      libcurl4-openssl-dev libssl-dev libcpp-httplib-dev libhiredis-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# Portable code (no -march=native: the image runs on other machines than the builder); the prefix
# /usr gives Debian's multiarch library folder.
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
      -DLTX2_BUILD_TESTS=OFF -DLTX2_BUILD_BENCH=OFF -DLTX2_NATIVE=OFF \
 && cmake --build build \
 && cd build && cpack -G DEB

FROM debian:bookworm-slim
COPY --from=build /src/build/ltx2_*.deb /tmp/ltx2-deb/
# ca-certificates (the package recommends it) for `ltx2 download` from the Hugging Face Hub.
RUN apt-get update \
 && cd /tmp/ltx2-deb \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ./ltx2_*.deb ca-certificates \
 && cd / && rm -rf /tmp/ltx2-deb /var/lib/apt/lists/*
# The demo model is written on first use; here into /tmp, which any --user can write.
ENV LTX2_DEMO_DIR=/tmp/ltx2-demo
WORKDIR /out
ENTRYPOINT ["ltx2"]
CMD ["--demo", "-p", "a cat playing the piano", "-W", "192", "-H", "128", "--frames", "9", "-o", "/out/ltx2-demo.mp4"]
