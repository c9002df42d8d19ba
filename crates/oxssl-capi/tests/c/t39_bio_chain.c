/* BIO chains and text I/O: a buffering filter pushed on a memory BIO, BIO_next / BIO_pop /
 * BIO_free_all, BIO_printf (the usual conversions), BIO_puts, BIO_gets (line by line,
 * a short buffer, an unsupported BIO), BIO_read_ex / BIO_write_ex, BIO_snprintf, and
 * ERR_print_errors_cb (the packed code of each line). */
#include "common.h"

static int print_cb(const char *str, size_t len, void *u)
{
    const char *e = strstr(str, ":error:");
    int *count = u;
    (*count)++;
    printf("cb: len>0=%d nl=%d code=%.8s\n", len > 0, str[len - 1] == '\n', e ? e + 7 : "?");
    return 1;
}

int main(int argc, char **argv)
{
    args(argc, argv);
    BIO *mem = BIO_new(BIO_s_mem());
    BIO *buf = BIO_new(BIO_f_buffer());
    BIO *top = BIO_push(buf, mem);
    printf("push returns top: %d next(buf)==mem: %d next(mem)=%p\n", top == buf,
           BIO_next(buf) == mem, (void *)BIO_next(mem));
    int n = BIO_printf(top, "%s %d %u %x %ld %lu %zu %c %% %5.2f|%-4s|\n", "str", -5, 7u, 255,
                       -9L, 10UL, (size_t)11, 'z', 3.14159, "ab");
    printf("printf=%d mem pending before flush=%d\n", n, (int)BIO_ctrl_pending(mem));
    printf("flush=%d mem pending=%d\n", BIO_flush(top), (int)BIO_ctrl_pending(mem));
    printf("puts=%d\n", BIO_puts(top, "line two\nthird line without end"));
    (void)BIO_flush(top);
    char line[64];
    int r;
    while ((r = BIO_gets(top, line, sizeof(line))) > 0)
        printf("gets=%d [%s]\n", r, line);
    printf("gets at end=%d\n", r);
    BIO_puts(mem, "0123456789\n");
    printf("gets small=%d [%s]\n", BIO_gets(mem, line, 5), line);
    printf("gets rest=%d [%s]\n", BIO_gets(mem, line, sizeof(line)), line);
    size_t done = 99;
    printf("write_ex=%d written=%zu\n", BIO_write_ex(mem, "abc", 3, &done), done);
    printf("read_ex=%d read=%zu\n", BIO_read_ex(mem, line, sizeof(line), &done), done);
    done = 99;
    printf("read_ex empty=%d read=%zu retry=%d\n", BIO_read_ex(mem, line, sizeof(line), &done),
           done, BIO_should_retry(mem));
    int popped = BIO_pop(buf) == mem;
    printf("pop returns mem: %d next(buf)=%p\n", popped, (void *)BIO_next(buf));
    BIO_free(buf);
    BIO_free(mem);

    BIO *chain = BIO_push(BIO_new(BIO_f_buffer()), BIO_push(BIO_new(BIO_f_buffer()),
                                                            BIO_new(BIO_s_mem())));
    printf("chain printf=%d\n", BIO_printf(chain, "%d-%s", 42, "x"));
    printf("chain flush=%d pending at end=%d\n", BIO_flush(chain),
           (int)BIO_ctrl_pending(BIO_next(BIO_next(chain))));
    BIO_free_all(chain);

    BIO *b1, *b2;
    BIO_new_bio_pair(&b1, 0, &b2, 0);
    printf("gets on pair=%d\n", BIO_gets(b1, line, sizeof(line)));
    errs("gets on pair");
    printf("puts on pair=%d pending=%d\n", BIO_puts(b1, "pair"), (int)BIO_ctrl_pending(b2));
    BIO_free(b1);
    BIO_free(b2);

    char small[8];
    printf("snprintf fits=%d [%s]\n", BIO_snprintf(small, sizeof(small), "%d", 1234), small);
    printf("snprintf too long=%d\n", BIO_snprintf(small, sizeof(small), "%d", 123456789));

    SSL_CTX_new(NULL);
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL_CTX_set_cipher_list(ctx, "NO-SUCH-CIPHER");
    SSL_CTX_free(ctx);
    int count = 0;
    ERR_print_errors_cb(print_cb, &count);
    printf("callback lines=%d queue after=%lu\n", count, ERR_peek_error());
    errs("end");
    return 0;
}
