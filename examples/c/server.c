/*
 * A non-blocking TLS echo server written the way an OpenSSL 3 user writes it: one
 * poll() loop, connections accepted and served without blocking, SSL_ERROR_WANT_READ /
 * WANT_WRITE deciding what to wait for. Each line a client sends comes back to it.
 *
 *   ./server PORT CERT.pem KEY.pem [MAX_CONNECTIONS]   (stops after that many; default 1)
 */
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXC 16

struct conn {
    int fd;
    SSL *ssl;
    short events; /* what SSL asked to wait for */
};

static void set_nonblocking(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void close_conn(struct conn *c)
{
    SSL_free(c->ssl);
    close(c->fd);
    c->fd = -1;
    c->ssl = NULL;
}

/* Runs the connection as far as it can go; 0 when it is finished. */
static int serve(struct conn *c)
{
    char buf[4096];
    for (;;) {
        int n = SSL_read(c->ssl, buf, sizeof(buf));
        if (n > 0) {
            /* A short echo fits the transport; a real server would queue what is left. */
            int w;
            while ((w = SSL_write(c->ssl, buf, n)) <= 0) {
                if (SSL_get_error(c->ssl, w) != SSL_ERROR_WANT_WRITE)
                    return 0;
                struct pollfd p = {c->fd, POLLOUT, 0};
                poll(&p, 1, 1000);
            }
            continue;
        }
        switch (SSL_get_error(c->ssl, n)) {
        case SSL_ERROR_WANT_READ:
            c->events = POLLIN;
            return 1;
        case SSL_ERROR_WANT_WRITE:
            c->events = POLLOUT;
            return 1;
        case SSL_ERROR_ZERO_RETURN:
            SSL_shutdown(c->ssl);
            return 0;
        default:
            ERR_print_errors_fp(stderr);
            return 0;
        }
    }
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s PORT CERT KEY [MAX_CONNECTIONS]\n", argv[0]);
        return 2;
    }
    int max_conns = argc > 4 ? atoi(argv[4]) : 1;
    signal(SIGPIPE, SIG_IGN);
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL || SSL_CTX_use_certificate_chain_file(ctx, argv[2]) != 1
        || SSL_CTX_use_PrivateKey_file(ctx, argv[3], SSL_FILETYPE_PEM) != 1
        || SSL_CTX_check_private_key(ctx) != 1) {
        ERR_print_errors_fp(stderr);
        return 1;
    }
    int lfd = socket(AF_INET6, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in6 addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin6_family = AF_INET6;
    addr.sin6_addr = in6addr_any;
    addr.sin6_port = htons((unsigned short)atoi(argv[1]));
    if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(lfd, 16) != 0) {
        perror("listen");
        return 1;
    }
    set_nonblocking(lfd);
    printf("listening on port %s\n", argv[1]);
    fflush(stdout);

    struct conn conns[MAXC];
    int i, accepted = 0, open_conns = 0;
    for (i = 0; i < MAXC; i++)
        conns[i].fd = -1;
    while (accepted < max_conns || open_conns > 0) {
        struct pollfd pfd[MAXC + 1];
        int map[MAXC + 1], n = 0;
        if (accepted < max_conns) {
            pfd[n].fd = lfd;
            pfd[n].events = POLLIN;
            map[n++] = -1;
        }
        for (i = 0; i < MAXC; i++) {
            if (conns[i].fd >= 0) {
                pfd[n].fd = conns[i].fd;
                pfd[n].events = conns[i].events;
                map[n++] = i;
            }
        }
        if (poll(pfd, (nfds_t)n, -1) < 0 && errno != EINTR)
            break;
        for (int k = 0; k < n; k++) {
            if (pfd[k].revents == 0)
                continue;
            if (map[k] < 0) {
                int fd = accept(lfd, NULL, NULL);
                if (fd < 0)
                    continue;
                for (i = 0; i < MAXC && conns[i].fd >= 0; i++)
                    ;
                if (i == MAXC) {
                    close(fd);
                    continue;
                }
                set_nonblocking(fd);
                conns[i].fd = fd;
                conns[i].ssl = SSL_new(ctx);
                SSL_set_fd(conns[i].ssl, fd);
                SSL_set_accept_state(conns[i].ssl);
                conns[i].events = POLLIN;
                accepted++;
                open_conns++;
                if (!serve(&conns[i])) {
                    close_conn(&conns[i]);
                    open_conns--;
                }
            } else if (!serve(&conns[map[k]])) {
                close_conn(&conns[map[k]]);
                open_conns--;
            }
        }
    }
    close(lfd);
    SSL_CTX_free(ctx);
    return 0;
}
