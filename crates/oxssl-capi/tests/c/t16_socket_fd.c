/* SSL_set_fd over a socketpair: a blocking client thread-free flow using a non-blocking
 * server side, the fd is not closed by SSL_free, and a peer that goes away. */
#include "common.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    args(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
        return 1;
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    SSL_CTX *cctx = make_ctx(0, 0), *sctx = make_ctx(1, 0);
    SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
    int sc = SSL_set_fd(c, fds[0]);
    int ss = SSL_set_fd(s, fds[1]);
    printf("set_fd=%d %d get_fd ok=%d\n", sc, ss, SSL_get_fd(c) == fds[0]);
    printf("rbio==wbio %d\n", SSL_get_rbio(c) == SSL_get_wbio(c));
    int rc = -1, rs = -1, i;
    for (i = 0; i < 50 && (rc != 1 || rs != 1); i++) {
        if (rc != 1)
            rc = SSL_connect(c);
        if (rs != 1)
            rs = SSL_accept(s);
    }
    printf("handshake: client=%d server=%d\n", rc, rs);
    char buf[64];
    int r = SSL_read(s, buf, sizeof(buf));
    report("server read nothing", s, r);
    printf("should_read=%d\n", BIO_should_read(SSL_get_rbio(s)) != 0);
    r = SSL_write(c, "over a socket", 13);
    printf("client write=%d\n", r);
    r = SSL_read(s, buf, sizeof(buf));
    printf("server read=%d '%.*s'\n", r, r > 0 ? r : 0, buf);
    SSL_free(s);
    /* SSL_set_fd's BIO does not own the fd: it is still open. */
    printf("fd open after SSL_free=%d\n", fcntl(fds[1], F_GETFD) != -1);
    close(fds[1]);
    r = SSL_read(c, buf, sizeof(buf));
    report("client read after peer closed", c, r);
    r = SSL_write(c, "x", 1);
    printf("client write to closed peer: ret=%d err=%d\n", r, SSL_get_error(c, r));
    unsigned long e = ERR_get_error();
    printf("queue lib=%d reason=%d (EPIPE=%d)\n", ERR_GET_LIB(e), ERR_GET_REASON(e), EPIPE);
    errs("rest");
    SSL_free(c);
    close(fds[0]);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    return 0;
}
