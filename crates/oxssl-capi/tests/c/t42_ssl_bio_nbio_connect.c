/* A non-blocking client on the SSL BIO over a connect BIO (BIO_new_ssl_connect,
 * BIO_set_nbio): BIO_do_connect and BIO_do_handshake retried while BIO_should_retry, with
 * poll() on BIO_get_fd; then a write and a read retried the same way. The server is a
 * blocking SSL BIO over an accept BIO in a child process. Retry counts vary from run to
 * run, so only the outcomes are printed. */
#include "common.h"
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

static int wait_fd(BIO *b)
{
    int fd = -1;
    BIO_get_fd(b, &fd);
    struct pollfd p = { fd, (short)(BIO_should_read(b) ? POLLIN : POLLOUT), 0 };
    return poll(&p, 1, 5000);
}

static long retry(BIO *b, long (*op)(BIO *, void *, int), void *buf, int n, int *odd)
{
    long r;
    for (int i = 0; i < 10000; i++) {
        r = op(b, buf, n);
        if (r > 0 || !BIO_should_retry(b))
            return r;
        if (BIO_should_io_special(b) && BIO_get_retry_reason(b) != BIO_RR_CONNECT)
            *odd = 1;
        wait_fd(b);
    }
    return r;
}

static long do_connect(BIO *b, void *buf, int n)
{
    (void)buf;
    (void)n;
    return BIO_do_connect(b);
}

static long do_handshake(BIO *b, void *buf, int n)
{
    (void)buf;
    (void)n;
    return BIO_do_handshake(b);
}

static long do_write(BIO *b, void *buf, int n)
{
    return BIO_write(b, buf, n);
}

static long do_read(BIO *b, void *buf, int n)
{
    return BIO_read(b, buf, n);
}

static void server(BIO *abio, int version)
{
    SSL_CTX *sctx = make_ctx(1, version);
    if (BIO_do_accept(abio) != 1)
        exit(1);
    BIO *sbio = BIO_push(BIO_new_ssl(sctx, 0), BIO_pop(abio));
    char buf[64];
    if (BIO_do_handshake(sbio) != 1)
        exit(2);
    int n = BIO_read(sbio, buf, sizeof(buf));
    if (n <= 0 || BIO_write(sbio, buf, n) != n)
        exit(3);
    BIO_read(sbio, buf, sizeof(buf));
    BIO_free_all(sbio);
    BIO_free_all(abio);
    SSL_CTX_free(sctx);
    exit(0);
}

static void run(int version)
{
    BIO *abio = BIO_new_accept("127.0.0.1:0");
    if (BIO_do_accept(abio) != 1)
        exit(1);
    char port[16];
    snprintf(port, sizeof(port), "%s", BIO_get_accept_port(abio));
    pid_t pid = fork();
    if (pid == 0)
        server(abio, version);
    /* Not freed before the child accepted: freeing an accept BIO shuts its socket down,
     * also for the child's copy. */

    SSL_CTX *cctx = make_ctx(0, version);
    BIO *b = BIO_new_ssl_connect(cctx);
    SSL *ssl = NULL;
    BIO_get_ssl(b, &ssl);
    BIO_set_conn_hostname(b, "127.0.0.1");
    BIO_set_conn_port(b, port);
    printf("set_nbio=%ld\n", BIO_set_nbio(b, 1));
    int odd = 0;
    printf("do_connect=%ld\n", retry(b, do_connect, NULL, 0, &odd));
    printf("do_handshake=%ld version=%s\n", retry(b, do_handshake, NULL, 0, &odd),
           SSL_get_version(ssl));
    printf("write=%ld\n", retry(b, do_write, "echo me", 7, &odd));
    char buf[16] = {0};
    printf("read=%ld [%s]\n", retry(b, do_read, buf, sizeof(buf) - 1, &odd), buf);
    printf("unexpected retry reasons: %d\n", odd);
    BIO_ssl_shutdown(b);
    BIO_free_all(b);
    SSL_CTX_free(cctx);
    int status = 0;
    waitpid(pid, &status, 0);
    BIO_free_all(abio);
    printf("server exit=%d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    errs("end");
}

int main(int argc, char **argv)
{
    args(argc, argv);
    run(TLS1_3_VERSION);
    run(TLS1_2_VERSION);
    return 0;
}
