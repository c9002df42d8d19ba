/* SSL_WRITE.md case 6: max_send_fragment 512 splits 40000 bytes into 79 records; the
 * setter refuses 511 and 16385. Records are counted on the wire (the server's half). */
#include "common.h"

static unsigned char data[40000];

static void run(int version)
{
    SSL_CTX *cctx = make_ctx(0, version), *sctx = make_ctx(1, version);
    printf("ctx set 511=%ld 16385=%ld 16384=%ld\n", SSL_CTX_set_max_send_fragment(cctx, 511),
           SSL_CTX_set_max_send_fragment(cctx, 16385),
           SSL_CTX_set_max_send_fragment(cctx, 16384));
    errs("ctx setter");
    SSL *c, *s;
    BIO *sb;
    make_pair(cctx, sctx, 200000, &c, &s, NULL, &sb);
    if (!handshake(c, s))
        exit(1);
    printf("set 511=%ld 16385=%ld 512=%ld\n", SSL_set_max_send_fragment(c, 511),
           SSL_set_max_send_fragment(c, 16385), SSL_set_max_send_fragment(c, 512));
    errs("setter");
    memset(data, 'f', sizeof(data));
    int r = SSL_write(c, data, sizeof(data));
    printf("write=%d\n", r);
    size_t pending = BIO_ctrl_pending(sb);
    unsigned char *wire = malloc(pending);
    int n = BIO_read(sb, wire, (int)pending);
    size_t off = 0, records = 0, max = 0;
    while (off + 5 <= (size_t)n) {
        size_t len = ((size_t)wire[off + 3] << 8) | wire[off + 4];
        if (len > max)
            max = len;
        off += 5 + len;
        records++;
    }
    printf("wire bytes=%d records=%zu max record=%zu\n", n, records, max);
    free(wire);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    run(TLS1_3_VERSION);
    run(TLS1_2_VERSION);
    return 0;
}
