/* BIO_new_mem_buf (read-only memory: EOF is 0 without a retry, writes refused) and a
 * socket BIO made with BIO_new(BIO_s_socket()) + BIO_set_fd. */
#include "common.h"
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    args(argc, argv);
    char buf[16];
    BIO *m = BIO_new_mem_buf("hello", -1);
    printf("pending=%d\n", (int)BIO_pending(m));
    int r = BIO_read(m, buf, 3);
    printf("read=%d '%.*s'\n", r, r > 0 ? r : 0, buf);
    r = BIO_read(m, buf, sizeof(buf));
    printf("read=%d '%.*s'\n", r, r > 0 ? r : 0, buf);
    r = BIO_read(m, buf, sizeof(buf));
    printf("read at end=%d retry=%d eof=%d\n", r, BIO_should_retry(m), (int)BIO_eof(m));
    r = BIO_write(m, "x", 1);
    printf("write=%d\n", r);
    errs("write to read-only");
    BIO_free(m);
    m = BIO_new_mem_buf("abc", 2);
    r = BIO_read(m, buf, sizeof(buf));
    printf("len 2: read=%d '%.*s'\n", r, r > 0 ? r : 0, buf);
    BIO_free(m);
    m = BIO_new_mem_buf(NULL, 3);
    printf("NULL buffer: %s\n", m ? "BIO" : "NULL");
    errs("null buffer");

    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return 1;
    BIO *s = BIO_new(BIO_s_socket());
    printf("fd before set=%d\n", (int)BIO_get_fd(s, NULL));
    printf("set_fd=%ld\n", BIO_set_fd(s, sv[0], BIO_CLOSE));
    int fd = -2;
    printf("get_fd matches=%d\n", BIO_get_fd(s, &fd) == sv[0] && fd == sv[0]);
    r = BIO_write(s, "ping", 4);
    printf("socket write=%d\n", r);
    r = (int)read(sv[1], buf, sizeof(buf));
    printf("peer read=%d '%.*s'\n", r, r > 0 ? r : 0, buf);
    r = (int)write(sv[1], "pong", 4);
    r = BIO_read(s, buf, sizeof(buf));
    printf("socket read=%d '%.*s'\n", r, r > 0 ? r : 0, buf);
    BIO_free(s); /* BIO_CLOSE: closes sv[0] */
    r = (int)read(sv[1], buf, sizeof(buf));
    printf("peer read after free=%d\n", r);
    close(sv[1]);
    printf("done\n");
    return 0;
}
