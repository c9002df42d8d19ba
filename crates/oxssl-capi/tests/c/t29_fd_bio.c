/* Socket and fd BIOs directly: BIO_new_socket / BIO_new_fd, BIO_get_fd, retry flags on a
 * non-blocking socket, EOF, and BIO_CLOSE vs BIO_NOCLOSE on free. */
#include "common.h"
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    args(argc, argv);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return 1;
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    BIO *a = BIO_new_socket(sv[0], BIO_NOCLOSE);
    BIO *b = BIO_new_fd(sv[1], BIO_CLOSE);
    int fd = -5;
    long got = BIO_get_fd(a, &fd);
    printf("get_fd ok=%d %d close a=%d b=%d\n", got == sv[0], fd == sv[0], BIO_get_close(a),
           BIO_get_close(b));
    char buf[32];
    int r = BIO_read(a, buf, sizeof(buf));
    printf("empty nonblocking read=%d retry=%d read=%d eof=%d\n", r, BIO_should_retry(a) != 0,
           BIO_should_read(a) != 0, BIO_eof(a));
    r = BIO_write(b, "through fd", 10);
    printf("fd write=%d\n", r);
    r = BIO_read(a, buf, sizeof(buf));
    printf("socket read=%d '%.*s' retry=%d\n", r, r > 0 ? r : 0, buf, BIO_should_retry(a) != 0);
    BIO_free(b); /* BIO_CLOSE: closes sv[1] */
    printf("sv[1] closed=%d\n", fcntl(sv[1], F_GETFD) == -1);
    r = BIO_read(a, buf, sizeof(buf));
    printf("read at eof=%d retry=%d eof=%d\n", r, BIO_should_retry(a) != 0, BIO_eof(a));
    BIO_free(a); /* BIO_NOCLOSE: sv[0] stays open */
    printf("sv[0] open=%d\n", fcntl(sv[0], F_GETFD) != -1);
    close(sv[0]);
    return 0;
}
