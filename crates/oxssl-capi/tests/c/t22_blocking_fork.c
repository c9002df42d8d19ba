/* Blocking sockets: a forked server process (SSL_accept, echo, shutdown) and a blocking
 * client (SSL_connect, write, read, bidirectional shutdown). The client prints. */
#include "common.h"
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int server(int fd, int version)
{
    SSL_CTX *ctx = make_ctx(1, version);
    SSL *s = SSL_new(ctx);
    SSL_set_fd(s, fd);
    if (SSL_accept(s) != 1)
        return 10;
    char buf[256];
    int n = SSL_read(s, buf, sizeof(buf));
    if (n <= 0)
        return 11;
    if (SSL_write(s, buf, n) != n)
        return 12;
    n = SSL_read(s, buf, sizeof(buf));
    if (n != 0 || SSL_get_error(s, n) != SSL_ERROR_ZERO_RETURN)
        return 13;
    if (SSL_shutdown(s) != 1)
        return 14;
    SSL_free(s);
    SSL_CTX_free(ctx);
    return 0;
}

static void run(int version)
{
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
        exit(1);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        _exit(server(fds[1], version));
    }
    close(fds[1]);
    SSL_CTX *ctx = make_ctx(0, version);
    SSL *c = SSL_new(ctx);
    SSL_set_fd(c, fds[0]);
    int r = SSL_connect(c);
    printf("connect=%d version=%s\n", r, SSL_get_version(c));
    r = SSL_write(c, "blocking echo", 13);
    printf("write=%d\n", r);
    char buf[64];
    r = SSL_read(c, buf, sizeof(buf));
    printf("read=%d '%.*s'\n", r, r > 0 ? r : 0, buf);
    r = SSL_shutdown(c);
    printf("shutdown=%d\n", r);
    r = SSL_shutdown(c);
    printf("shutdown again=%d get_shutdown=%d\n", r, SSL_get_shutdown(c));
    r = SSL_read(c, buf, sizeof(buf));
    report("read after shutdown", c, r);
    int status = 0;
    waitpid(pid, &status, 0);
    printf("server exit=%d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    SSL_free(c);
    SSL_CTX_free(ctx);
    close(fds[0]);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    run(TLS1_3_VERSION);
    run(TLS1_2_VERSION);
    return 0;
}
