/* The SSL BIO over an accept BIO (server) and over a connect BIO (client,
 * BIO_new_ssl_connect), in two processes: bind to 127.0.0.1 port 0, BIO_get_accept_port,
 * accept, BIO_pop the connection, BIO_new_ssl + BIO_push, BIO_do_handshake; the client
 * reads the reply through a buffering filter over its SSL BIO with BIO_gets, then
 * BIO_ssl_shutdown; freeing an SSL BIO (BIO_CLOSE) shuts its SSL down as well, which
 * waits for the server's close_notify. The child's transcript comes back through a pipe. */
#include "common.h"
#include <sys/wait.h>
#include <unistd.h>

static int out_fd = -1;

static void say(const char *fmt, const char *s, long v)
{
    char line[256];
    int n = snprintf(line, sizeof(line), fmt, s, v);
    if (write(out_fd, line, (size_t)n) != n)
        exit(3);
}

static int client(const char *port, int version)
{
    SSL_CTX *cctx = make_ctx(0, version);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_load_verify_locations(cctx, CERT, NULL);
    BIO *sbio = BIO_new_ssl_connect(cctx);
    SSL *ssl = NULL;
    say("client %s=%ld\n", "get_ssl", BIO_get_ssl(sbio, &ssl));
    say("client %s=%ld\n", "ssl set", ssl != NULL);
    SSL_set_tlsext_host_name(ssl, "localhost");
    SSL_set1_host(ssl, "localhost");
    say("client %s=%ld\n", "set port", BIO_set_conn_port(sbio, port));
    say("client %s=%ld\n", "set host", BIO_set_conn_hostname(sbio, "127.0.0.1"));
    say("client host=%s %ld\n", BIO_get_conn_hostname(sbio), 0);
    say("client %s=%ld\n", "do_connect", BIO_do_connect(sbio));
    say("client %s=%ld\n", "do_handshake", BIO_do_handshake(sbio));
    say("client version=%s verify=%ld\n", SSL_get_version(ssl), SSL_get_verify_result(ssl));
    int fd = -1;
    say("client %s=%ld\n", "get_fd>=0", BIO_get_fd(sbio, &fd) >= 0 && fd >= 0);
    BIO *buf = BIO_push(BIO_new(BIO_f_buffer()), sbio);
    say("client %s=%ld\n", "puts", BIO_puts(buf, "hello over BIOs\n"));
    say("client %s=%ld\n", "flush", BIO_flush(buf));
    char line[128];
    int n = BIO_gets(buf, line, sizeof(line));
    say("client got [%s] %ld\n", n > 0 ? line : "", n);
    BIO_ssl_shutdown(sbio);
    BIO_free_all(buf);
    SSL_CTX_free(cctx);
    return 0;
}

static void run(int version)
{
    BIO *abio = BIO_new_accept("127.0.0.1:0");
    printf("first do_accept (bind)=%ld\n", BIO_do_accept(abio));
    const char *port = BIO_get_accept_port(abio);
    printf("accept port set: %d name=%s\n", port != NULL && atoi(port) > 0,
           BIO_get_accept_name(abio));
    int pfd[2];
    if (pipe(pfd) != 0)
        exit(1);
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        out_fd = pfd[1];
        exit(client(port, version));
    }
    close(pfd[1]);
    printf("second do_accept=%ld\n", BIO_do_accept(abio));
    BIO *cbio = BIO_pop(abio);
    printf("popped connection: %d next(abio)=%p\n", cbio != NULL, (void *)BIO_next(abio));
    SSL_CTX *sctx = make_ctx(1, version);
    BIO *sbio = BIO_new_ssl(sctx, 0);
    BIO_push(sbio, cbio);
    printf("server do_handshake=%ld\n", BIO_do_handshake(sbio));
    SSL *ssl = NULL;
    BIO_get_ssl(sbio, &ssl);
    printf("server version=%s rbio is connection: %d\n", SSL_get_version(ssl),
           SSL_get_rbio(ssl) == cbio);
    char buf[128];
    int n = BIO_read(sbio, buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("server read=%d [%s]\n", n, buf);
    printf("server write=%d\n", BIO_write(sbio, "reply line\n", 11));
    printf("server flush=%d\n", BIO_flush(sbio));
    n = BIO_read(sbio, buf, sizeof(buf));
    printf("server read at close=%d shutdown=%d\n", n, SSL_get_shutdown(ssl));
    /* Answer the client's close_notify: freeing its SSL BIO waits for ours. */
    printf("server SSL_shutdown=%d\n", SSL_shutdown(ssl));
    int status = 0;
    waitpid(pid, &status, 0);
    FILE *in = fdopen(pfd[0], "r");
    char line[256];
    while (fgets(line, sizeof(line), in) != NULL)
        printf("%s", line);
    fclose(in);
    printf("client exit=%d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    errs("server end");
    BIO_free_all(sbio);
    BIO_free_all(abio);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    run(TLS1_3_VERSION);
    run(TLS1_2_VERSION);
    return 0;
}
