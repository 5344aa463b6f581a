/* nfqueue-delay: holds every packet of one NFQUEUE for delay±jitter ms, then accepts it (netem's delay where
 * the kernel has no netem). Usage: nfqueue-delay QUEUE_NUM DELAY_MS JITTER_MS [SEED]
 * Prints "ready" on stdout once the queue is bound, so the caller adds its iptables rule only after that.
 * Packets wait in a min-heap keyed by release time; poll() sleeps until the earliest release.
 * Built by src/lab/delay-helper.ts: gcc -O2 nfqueue-delay.c -lnetfilter_queue -lnfnetlink -lmnl */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

struct held { uint64_t release_us; uint32_t id; };

static struct held *heap;
static size_t heap_len, heap_cap;
static long delay_us, jitter_us;
static unsigned int rng_state;
static volatile sig_atomic_t stopping;

static uint64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void heap_push(struct held h) {
  if (heap_len == heap_cap) {
    heap_cap = heap_cap ? heap_cap * 2 : 1024;
    heap = realloc(heap, heap_cap * sizeof *heap);
    if (!heap) { perror("realloc"); exit(1); }
  }
  size_t i = heap_len++;
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (heap[p].release_us <= h.release_us) break;
    heap[i] = heap[p];
    i = p;
  }
  heap[i] = h;
}

static struct held heap_pop(void) {
  struct held top = heap[0], last = heap[--heap_len];
  size_t i = 0;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= heap_len) break;
    if (c + 1 < heap_len && heap[c + 1].release_us < heap[c].release_us) c++;
    if (last.release_us <= heap[c].release_us) break;
    heap[i] = heap[c];
    i = c;
  }
  if (heap_len > 0) heap[i] = last;
  return top;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa, void *data) {
  (void)qh; (void)msg; (void)data;
  struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
  if (!ph) return 0;
  long d = delay_us;
  /* Uniform jitter in [-jitter, +jitter], never below zero. */
  if (jitter_us > 0) d += (long)(rand_r(&rng_state) % (unsigned)(2 * jitter_us + 1)) - jitter_us;
  if (d < 0) d = 0;
  struct held h = { now_us() + (uint64_t)d, ntohl(ph->packet_id) };
  heap_push(h);
  return 0;
}

static void on_signal(int sig) { (void)sig; stopping = 1; }

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: nfqueue-delay QUEUE_NUM DELAY_MS JITTER_MS [SEED]\n");
    return 2;
  }
  int queue = atoi(argv[1]);
  delay_us = (long)(atof(argv[2]) * 1000.0);
  jitter_us = (long)(atof(argv[3]) * 1000.0);
  rng_state = argc > 4 ? (unsigned)strtoul(argv[4], NULL, 10) : (unsigned)time(NULL);
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);

  struct nfq_handle *h = nfq_open();
  if (!h) { perror("nfq_open"); return 1; }
  nfq_unbind_pf(h, AF_INET); /* harmless failure on new kernels */
  if (nfq_bind_pf(h, AF_INET) < 0) { perror("nfq_bind_pf"); return 1; }
  struct nfq_q_handle *qh = nfq_create_queue(h, (uint16_t)queue, on_packet, NULL);
  if (!qh) { fprintf(stderr, "nfq_create_queue %d: %s\n", queue, strerror(errno)); return 1; }
  /* Metadata only: the verdict does not need the payload, which keeps netlink traffic small. */
  if (nfq_set_mode(qh, NFQNL_COPY_META, 0) < 0) { perror("nfq_set_mode"); return 1; }
  nfq_set_queue_maxlen(qh, 65536);
  /* When our queue is full, let packets through rather than drop them: a delay fault must not become loss. */
  nfq_set_queue_flags(qh, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN);
  int fd = nfq_fd(h);
  nfnl_rcvbufsiz(nfq_nfnlh(h), 8 * 1024 * 1024);
  printf("ready\n");
  fflush(stdout);

  char buf[65536] __attribute__((aligned));
  while (!stopping) {
    int timeout = -1;
    if (heap_len > 0) {
      uint64_t n = now_us();
      timeout = heap[0].release_us <= n ? 0 : (int)((heap[0].release_us - n + 999) / 1000);
    }
    struct pollfd pfd = { fd, POLLIN, 0 };
    int r = poll(&pfd, 1, timeout);
    if (r < 0 && errno != EINTR) { perror("poll"); break; }
    if (r > 0 && (pfd.revents & POLLIN)) {
      /* Drain everything readable before releasing, so a burst is timestamped on arrival. */
      for (;;) {
        ssize_t len = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (len < 0) {
          if (errno == ENOBUFS) continue; /* the kernel dropped messages; fail-open covers the packets */
          break;
        }
        nfq_handle_packet(h, buf, (int)len);
      }
    }
    uint64_t n = now_us();
    while (heap_len > 0 && heap[0].release_us <= n) {
      struct held p = heap_pop();
      nfq_set_verdict(qh, p.id, NF_ACCEPT, 0, NULL);
    }
  }
  /* Release what we still hold instead of leaving it to the kernel's teardown. */
  while (heap_len > 0) {
    struct held p = heap_pop();
    nfq_set_verdict(qh, p.id, NF_ACCEPT, 0, NULL);
  }
  nfq_destroy_queue(qh);
  nfq_close(h);
  return 0;
}
