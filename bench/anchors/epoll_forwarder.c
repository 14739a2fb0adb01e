/* The floor of scenario a in bench/proxy-floor.sh: the least a forwarding proxy can do per event on
 * this machine. A single-threaded epoll forward proxy for plain HTTP: the absolute-form request
 * goes to 127.0.0.1:PORT in origin form, then bytes are relayed both ways with one read(2) and
 * one write(2) per ready socket; with -l DIR each upstream->client read is also appended to
 * DIR/sse_lines.jsonl (one write, as a logger would), with -2 to a second file as well
 * (sse-capture's per-session copy). No HTTP parsing, no SSE parsing, no JSON, no TLS, no
 * backpressure (a blocking-enough write): a yardstick, not a proxy.
 *
 *   cc -O2 -o epoll-forwarder epoll_forwarder.c && ./epoll-forwarder PORT [-l DIR [-2]] */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#define MAXFD 4096
static int peer[MAXFD], isup[MAXFD], logfd = -1, logfd2 = -1;
static char head[MAXFD][8192]; static int hlen[MAXFD];
static void closeboth(int ep, int fd) {
  int p = peer[fd];
  epoll_ctl(ep, EPOLL_CTL_DEL, fd, 0); close(fd); peer[fd] = -1; hlen[fd] = 0;
  if (p > 0) { epoll_ctl(ep, EPOLL_CTL_DEL, p, 0); close(p); peer[p] = -1; hlen[p] = 0; }
}
int main(int argc, char **argv) {
  int port = atoi(argv[1]);
  if (argc > 3 && !strcmp(argv[2], "-l")) {
    char path[4096]; snprintf(path, sizeof path, "%s", argv[3]); mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/sse_lines.jsonl", argv[3]);
    logfd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (argc > 4 && !strcmp(argv[4], "-2")) { /* a second copy, like sse-capture's per-session file */
      snprintf(path, sizeof path, "%s/session-copy.jsonl", argv[3]);
      logfd2 = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    }
  }
  int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (bind(ls, (void *)&a, sizeof a) || listen(ls, 1024)) { perror("bind"); return 1; }
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  static char buf[65536];
  struct epoll_event evs[64];
  for (;;) {
    int n = epoll_wait(ep, evs, 64, -1);
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == ls) {
        int c = accept4(ls, 0, 0, SOCK_NONBLOCK);
        if (c < 0 || c >= MAXFD) { if (c >= 0) close(c); continue; }
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        peer[c] = -1; isup[c] = 0; hlen[c] = 0;
        ev.events = EPOLLIN; ev.data.fd = c; epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
        continue;
      }
      if (peer[fd] < 0 && !isup[fd]) { /* reading the request head */
        ssize_t r = read(fd, head[fd] + hlen[fd], sizeof head[fd] - 1 - hlen[fd]);
        if (r <= 0) { closeboth(ep, fd); continue; }
        hlen[fd] += r;
        head[fd][hlen[fd]] = 0; /* strstr/strchr below must not see an earlier connection's bytes */
        char *end = memmem(head[fd], hlen[fd], "\r\n\r\n", 4);
        if (!end) continue;
        char *h = strstr(head[fd], "http://"), *sp = strchr(head[fd], ' ');
        if (!h || !sp) { closeboth(ep, fd); continue; }
        char *hp = h + 7, *path = strchr(hp, '/');
        if (!path) { closeboth(ep, fd); continue; }
        char *colon = memchr(hp, ':', path - hp);
        int uport = colon ? atoi(colon + 1) : 80;
        int u = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in ua = {.sin_family = AF_INET, .sin_port = htons(uport)};
        inet_pton(AF_INET, "127.0.0.1", &ua.sin_addr);
        if (connect(u, (void *)&ua, sizeof ua)) { close(u); closeboth(ep, fd); continue; }
        fcntl(u, F_SETFL, O_NONBLOCK);
        setsockopt(u, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        char out[8400]; int m = (int)(sp + 1 - head[fd]);
        memcpy(out, head[fd], m);
        int rest = hlen[fd] - (int)(path - head[fd]);
        memcpy(out + m, path, rest); m += rest;
        write(u, out, m);
        peer[fd] = u; peer[u] = fd; isup[u] = 1; isup[fd] = 0;
        ev.events = EPOLLIN; ev.data.fd = u; epoll_ctl(ep, EPOLL_CTL_ADD, u, &ev);
        continue;
      }
      ssize_t r = read(fd, buf, sizeof buf);
      if (r <= 0) { closeboth(ep, fd); continue; }
      if (write(peer[fd], buf, r) != r) { closeboth(ep, fd); continue; } /* blocking-enough for a yardstick */
      if (isup[fd] && logfd >= 0) write(logfd, buf, r);
      if (isup[fd] && logfd2 >= 0) write(logfd2, buf, r);
    }
  }
}
