/* Protocol version mismatch (client 1.3 only vs server 1.2 only, and the reverse), the
 * NO_TLSv1_3 option, and split_send_fragment. */
#include "common.h"

static void mismatch(int cmin, int cmax, int smin, int smax)
{
    SSL_CTX *cctx = make_ctx(0, 0), *sctx = make_ctx(1, 0);
    SSL_CTX_set_min_proto_version(cctx, cmin);
    SSL_CTX_set_max_proto_version(cctx, cmax);
    SSL_CTX_set_min_proto_version(sctx, smin);
    SSL_CTX_set_max_proto_version(sctx, smax);
    SSL *c, *s;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    int rc = -1, rs = -1, i;
    for (i = 0; i < 10; i++) {
        if (rc != 1)
            rc = SSL_do_handshake(c);
        if (rs != 1)
            rs = SSL_do_handshake(s);
        if (SSL_get_error(c, rc) == SSL_ERROR_SSL || SSL_get_error(s, rs) == SSL_ERROR_SSL)
            break;
    }
    printf("client %x-%x server %x-%x\n", cmin, cmax, smin, smax);
    report("server", s, rs);
    rc = SSL_do_handshake(c);
    report("client", c, rc);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    mismatch(TLS1_3_VERSION, TLS1_3_VERSION, TLS1_2_VERSION, TLS1_2_VERSION);
    mismatch(TLS1_2_VERSION, TLS1_2_VERSION, TLS1_3_VERSION, TLS1_3_VERSION);

    SSL_CTX *cctx = make_ctx(0, 0), *sctx = make_ctx(1, 0);
    SSL_CTX_set_options(cctx, SSL_OP_NO_TLSv1_3);
    SSL *c, *s;
    BIO *sb;
    make_pair(cctx, sctx, 100000, &c, &s, NULL, &sb);
    if (!handshake(c, s))
        return 1;
    printf("split 0=%ld 20000=%ld 1000=%ld\n", SSL_set_split_send_fragment(c, 0),
           SSL_set_split_send_fragment(c, 20000), SSL_set_split_send_fragment(c, 1000));
    static unsigned char data[5000];
    memset(data, 's', sizeof(data));
    int r = SSL_write(c, data, sizeof(data));
    size_t pending = BIO_ctrl_pending(sb);
    unsigned char *wire = malloc(pending);
    int n = BIO_read(sb, wire, (int)pending);
    size_t off = 0, records = 0;
    while (off + 5 <= (size_t)n) {
        off += 5 + (((size_t)wire[off + 3] << 8) | wire[off + 4]);
        records++;
    }
    printf("write=%d records=%zu\n", r, records);
    free(wire);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    return 0;
}
