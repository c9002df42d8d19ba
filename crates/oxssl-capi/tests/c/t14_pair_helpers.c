/* BIO pair helpers: read request, write guarantee, shutdown_wr, EOF, broken pipe. */
#include "common.h"

int main(int argc, char **argv)
{
    args(argc, argv);
    BIO *a, *b;
    char buf[64];
    printf("pair=%d\n", BIO_new_bio_pair(&a, 10, &b, 0));
    int r = BIO_read(b, buf, 5);
    printf("empty read=%d retry=%d should_read=%d read_request(a)=%zu\n", r,
           BIO_should_retry(b) != 0, BIO_should_read(b) != 0, BIO_ctrl_get_read_request(a));
    r = BIO_write(a, "hello world!", 12);
    printf("write=%d guarantee=%zu pending(b)=%zu wpending(a)=%zu\n", r,
           BIO_ctrl_get_write_guarantee(a), BIO_ctrl_pending(b), BIO_ctrl_wpending(a));
    r = BIO_write(a, "x", 1);
    printf("full write=%d retry=%d should_write=%d\n", r, BIO_should_retry(a) != 0,
           BIO_should_write(a) != 0);
    printf("macros: pending=%d wpending=%d guarantee=%d request=%d\n", BIO_pending(b),
           BIO_wpending(a), BIO_get_write_guarantee(a), BIO_get_read_request(a));
    r = BIO_read(b, buf, 4);
    printf("read=%d '%.4s' guarantee=%zu\n", r, buf, BIO_ctrl_get_write_guarantee(a));
    printf("eof before shutdown=%d\n", BIO_eof(b));
    printf("shutdown_wr=%d\n", BIO_shutdown_wr(a));
    printf("eof with data left=%d\n", BIO_eof(b));
    printf("guarantee after shutdown=%zu\n", BIO_ctrl_get_write_guarantee(a));
    r = BIO_write(a, "y", 1);
    printf("write after shutdown=%d\n", r);
    errs("write after shutdown");
    r = BIO_read(b, buf, sizeof(buf));
    printf("read rest=%d '%.*s'\n", r, r > 0 ? r : 0, buf);
    r = BIO_read(b, buf, sizeof(buf));
    printf("read at eof=%d retry=%d eof=%d other way eof=%d\n", r, BIO_should_retry(b) != 0,
           BIO_eof(b), BIO_eof(a));
    /* The other direction is still open (default size 17408). */
    printf("b guarantee=%zu\n", BIO_ctrl_get_write_guarantee(b));
    r = BIO_write(b, "back", 4);
    printf("b write=%d a pending=%zu\n", r, BIO_ctrl_pending(a));
    BIO_free(a);
    BIO_free(b);
    return 0;
}
