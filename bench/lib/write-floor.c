/*
 * The kernel's own cost of one small TCP write on loopback, with no JavaScript, libuv or stream
 * machinery: the floor under `write-cost.mjs` and under every socket write of state sync. A forked
 * reader drains SOCKETS connections with epoll; the writer sends one BYTES-byte write(2) to each
 * per round, ROUNDS rounds 20 ms apart, and prints the median and best per-write time.
 * Built and run by write-floor.mjs (needs a C compiler: `cc`).
 * Usage: write-floor [sockets=1000] [bytes=150] [rounds=100]
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int by_value(const void *x, const void *y) {
  double d = *(const double *)x - *(const double *)y;
  return d < 0 ? -1 : d > 0;
}

static pid_t reader = 0;

/* Reports and exits; the reader goes with us (it also dies with its parent, see drain_forever). */
static void die(const char *what) {
  perror(what);
  if (reader > 0) kill(reader, SIGKILL);
  exit(1);
}

static void drain_forever(int listener) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = listener};
  if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev) < 0) die("epoll");
  static char buf[65536];
  struct epoll_event ready[256];
  for (;;) {
    int n = epoll_wait(ep, ready, 256, -1);
    for (int i = 0; i < n; i++) {
      int fd = ready[i].data.fd;
      if (fd == listener) {
        int c = accept(listener, NULL, NULL);
        if (c < 0) continue;
        fcntl(c, F_SETFL, O_NONBLOCK);
        ev.data.fd = c;
        epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
      } else {
        ssize_t r;
        while ((r = read(fd, buf, sizeof buf)) > 0) {}
        if (r == 0) close(fd);
      }
    }
  }
}

int main(int argc, char **argv) {
  int sockets = argc > 1 ? atoi(argv[1]) : 1000;
  int bytes = argc > 2 ? atoi(argv[2]) : 150;
  int rounds = argc > 3 ? atoi(argv[3]) : 100;
  if (sockets < 1 || sockets > 20000 || bytes < 1 || bytes > 65536 || rounds < 1 || rounds > 10000) {
    fprintf(stderr, "usage: write-floor [sockets 1-20000] [bytes 1-65536] [rounds 1-10000]\n");
    return 2;
  }
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof addr;
  if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(listener, 4096) < 0 ||
      getsockname(listener, (struct sockaddr *)&addr, &len) < 0)
    die("listen");
  reader = fork();
  if (reader < 0) die("fork");
  if (reader == 0) drain_forever(listener);
  int *fds = calloc(sockets, sizeof *fds);
  for (int i = 0; i < sockets; i++) {
    int one = 1;
    fds[i] = socket(AF_INET, SOCK_STREAM, 0);
    if (fds[i] < 0 || setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0 ||
        connect(fds[i], (struct sockaddr *)&addr, sizeof addr) < 0)
      die("connect (over the open-file limit? see ulimit -n)");
  }
  usleep(300000);
  char *payload = malloc(bytes);
  memset(payload, 7, bytes);
  double *samples = calloc(rounds, sizeof *samples);
  for (int r = 0; r < rounds; r++) {
    double t0 = now_us();
    for (int i = 0; i < sockets; i++) {
      if (write(fds[i], payload, bytes) != bytes) die("write");
    }
    samples[r] = (now_us() - t0) / sockets;
    usleep(20000);
  }
  qsort(samples, rounds, sizeof *samples, by_value);
  printf("kernel floor: write(2) of %d B to one of %d loopback connections (C, reader in another process): median %.1f µs, best round %.1f µs\n",
         bytes, sockets, samples[rounds / 2], samples[0]);
  fflush(stdout);
  kill(reader, SIGKILL);
  waitpid(reader, NULL, 0);
  return 0;
}
