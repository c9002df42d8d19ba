/* The servername callback (SSL_CTX_set_tlsext_servername_callback / _arg): switching the
 * connection to another context with SSL_set_SSL_CTX (the client verifies the switched
 * certificate; the connection keeps a reference to its new context), NOACK, ALERT_FATAL
 * with the default and a custom alert (the client sees its reason), a client without SNI
 * (ALERT_WARNING: t48); the ALPN select callback (SSL_CTX_set_alpn_select_cb) selecting
 * with SSL_select_next_proto or pointing into the client's list, NOACK, ALERT_FATAL, the
 * callback of the context switched to; SSL_select_next_proto's own results. TLS 1.3 and
 * TLS 1.2. */
#include "common.h"

enum sni { SWITCH, OK, NOACK, FATAL, FATAL_CUSTOM };
struct sni_arg {
    const char *tag;
    enum sni policy;
    SSL_CTX *other;
    int calls;
};

static int sni_cb(SSL *s, int *al, void *arg)
{
    struct sni_arg *a = arg;
    const char *name = SSL_get_servername(s, TLSEXT_NAMETYPE_host_name);
    a->calls++;
    printf("  sni cb %s: name=%s type=%d server=%d al=%d app=%s\n", a->tag, name ? name : "(null)",
           SSL_get_servername_type(s), SSL_is_server(s), *al, (char *)SSL_get_app_data(s));
    switch (a->policy) {
    case SWITCH:
        if (name != NULL && strcmp(name, "other.example") == 0) {
            SSL_CTX *was = SSL_get_SSL_CTX(s);
            SSL_CTX *r = SSL_set_SSL_CTX(s, a->other);
            printf("  switched: ret=%d now=%d changed=%d\n", r == a->other,
                   SSL_get_SSL_CTX(s) == a->other, was != a->other);
        }
        return SSL_TLSEXT_ERR_OK;
    case NOACK:
        return SSL_TLSEXT_ERR_NOACK;
    case FATAL:
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    case FATAL_CUSTOM:
        *al = SSL_AD_ACCESS_DENIED;
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    default:
        return SSL_TLSEXT_ERR_OK;
    }
}

static const unsigned char server_protos[] = "\x02h2\x08http/1.1";
static const unsigned char no_protos[] = "\x03" "foo";

enum alpn { SELECT, SELECT_NONE_COMMON, POINT_INTO_IN, ANOCK, AFATAL };
struct alpn_arg {
    const char *tag;
    enum alpn policy;
    int calls;
};

static int alpn_cb(SSL *s, const unsigned char **out, unsigned char *outlen,
                   const unsigned char *in, unsigned int inlen, void *arg)
{
    struct alpn_arg *a = arg;
    const char *name = SSL_get_servername(s, TLSEXT_NAMETYPE_host_name);
    unsigned char *o = NULL;
    int r;
    a->calls++;
    printf("  alpn cb %s: inlen=%u name=%s\n", a->tag, inlen, name ? name : "(null)");
    switch (a->policy) {
    case SELECT:
        r = SSL_select_next_proto(&o, outlen, server_protos, sizeof(server_protos) - 1, in,
                                  inlen);
        printf("  select_next_proto=%d -> %.*s in_server_list=%d\n", r, (int)*outlen,
               (const char *)o,
               o >= server_protos && o < server_protos + sizeof(server_protos));
        *out = o;
        return r == OPENSSL_NPN_NEGOTIATED ? SSL_TLSEXT_ERR_OK : SSL_TLSEXT_ERR_NOACK;
    case SELECT_NONE_COMMON:
        /* No overlap: OpenSSL points at the client's first protocol. */
        r = SSL_select_next_proto(&o, outlen, no_protos, sizeof(no_protos) - 1, in, inlen);
        printf("  select_next_proto=%d -> %.*s in_client_list=%d\n", r, (int)*outlen,
               (const char *)o,
               o >= in && o < in + inlen);
        *out = o;
        return SSL_TLSEXT_ERR_OK;
    case POINT_INTO_IN: {
        /* The client's last protocol, pointed to in its list. */
        unsigned int i = 0, last = 0;
        while (i < inlen) {
            last = i;
            i += 1 + in[i];
        }
        *out = in + last + 1;
        *outlen = in[last];
        return SSL_TLSEXT_ERR_OK;
    }
    case ANOCK:
        return SSL_TLSEXT_ERR_NOACK;
    default:
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
}

static const char *vname(int v)
{
    return v == TLS1_3_VERSION ? "TLSv1.3" : "TLSv1.2";
}

static void print_alpn(const char *who, SSL *s)
{
    const unsigned char *p;
    unsigned int n;
    SSL_get0_alpn_selected(s, &p, &n);
    printf("%s alpn=%.*s len=%u\n", who, (int)n, p ? (const char *)p : "", n);
}

static void peer(SSL *c)
{
    char buf[256] = "(none)";
    X509 *x = SSL_get0_peer_certificate(c);
    if (x != NULL)
        X509_NAME_oneline(X509_get_subject_name(x), buf, sizeof(buf));
    printf("client sees %s verify_result=%ld\n", buf, SSL_get_verify_result(c));
}

/* One handshake with a servername callback on the server's context; `free_other` frees
 * the application's reference to the context switched to while the connection lives. */
static void sni(int version, const char *name, enum sni policy, int free_other,
                int print_sessions)
{
    SSL_CTX *cctx = make_ctx(0, version);
    SSL_CTX *sctx = make_server_ctx(version, pki("chain.pem"), pki("leaf.key"));
    SSL_CTX *other = make_server_ctx(version, pki("other.pem"), pki("other.key"));
    struct sni_arg arg = {"A", policy, other, 0};
    SSL *c, *s;
    printf("== sni %s policy=%d (%s)\n", name ? name : "(none)", policy, vname(version));
    printf("callback_ctrl=%ld arg=%ld\n", SSL_CTX_set_tlsext_servername_callback(sctx, sni_cb),
           SSL_CTX_set_tlsext_servername_arg(sctx, &arg));
    SSL_CTX_load_verify_locations(cctx, pki("root.pem"), NULL);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    SSL_set_app_data(s, "server");
    if (name != NULL) {
        SSL_set_tlsext_host_name(c, name);
        SSL_set1_host(c, name);
    }
    int ok = handshake(c, s);
    if (free_other) {
        /* The connection keeps its own reference to the context it switched to. */
        SSL_CTX_free(other);
        other = NULL;
    }
    printf("ok=%d calls=%d server ctx: original=%d other=%d\n", ok, arg.calls,
           SSL_get_SSL_CTX(s) == sctx, arg.other != NULL && SSL_get_SSL_CTX(s) == arg.other);
    peer(c);
    const char *sn = SSL_get_servername(s, TLSEXT_NAMETYPE_host_name);
    printf("server servername=%s type=%d\n", sn ? sn : "(null)", SSL_get_servername_type(s));
    errs("client");
    if (!ok) {
        /* The client reads the server's alert. */
        report("client after", c, SSL_do_handshake(c));
        report("server after", s, SSL_do_handshake(s));
    }
    if (ok) {
        char buf[8] = {0}, buf2[8] = {0};
        int w = SSL_write(c, "ping", 4), r = SSL_read(s, buf, sizeof(buf) - 1);
        int w2 = SSL_write(s, "pong", 4), r2 = SSL_read(c, buf2, sizeof(buf2) - 1);
        printf("data: %d %d %s, %d %d %s\n", w, r, buf, w2, r2, buf2);
        if (print_sessions) {
            /* The client's session after it read the server's tickets (TLS 1.3). */
            const char *ch = SSL_SESSION_get0_hostname(SSL_get_session(c));
            const char *sh = SSL_SESSION_get0_hostname(SSL_get_session(s));
            printf("session hostname: client=%s server=%s\n", ch ? ch : "(null)",
                   sh ? sh : "(null)");
        }
        /* Back to the context the connection was made from. */
        SSL_CTX *back = SSL_set_SSL_CTX(s, NULL);
        printf("set_SSL_CTX(NULL)=original %d now=%d\n", back == sctx, SSL_get_SSL_CTX(s) == sctx);
        SSL_shutdown(c);
        SSL_shutdown(s);
    }
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    SSL_CTX_free(other);
}

static void alpn(int version, enum alpn policy, int client_offers, int with_switch)
{
    SSL_CTX *cctx = make_ctx(0, version);
    SSL_CTX *sctx = make_server_ctx(version, pki("chain.pem"), pki("leaf.key"));
    SSL_CTX *other = make_server_ctx(version, pki("other.pem"), pki("other.key"));
    struct alpn_arg a = {"A", policy, 0}, b = {"B", SELECT, 0};
    struct sni_arg sarg = {"A", SWITCH, other, 0};
    static const unsigned char client_protos[] = "\x08http/1.1\x02h2\x06spdy/1";
    SSL *c, *s;
    printf("== alpn policy=%d offers=%d switch=%d (%s)\n", policy, client_offers, with_switch,
           vname(version));
    SSL_CTX_set_alpn_select_cb(sctx, alpn_cb, &a);
    if (with_switch) {
        SSL_CTX_set_tlsext_servername_callback(sctx, sni_cb);
        SSL_CTX_set_tlsext_servername_arg(sctx, &sarg);
        SSL_CTX_set_alpn_select_cb(other, alpn_cb, &b);
    }
    if (client_offers)
        printf("set_alpn_protos=%d\n",
               SSL_CTX_set_alpn_protos(cctx, client_protos, sizeof(client_protos) - 1));
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    SSL_set_app_data(s, "server");
    const char *name = with_switch ? "other.example" : "localhost";
    SSL_set_tlsext_host_name(c, name);
    int ok = handshake(c, s);
    printf("ok=%d calls A=%d B=%d\n", ok, a.calls, b.calls);
    print_alpn("client", c);
    print_alpn("server", s);
    errs("client");
    if (!ok) {
        /* The client reads the server's alert. */
        report("client after", c, SSL_do_handshake(c));
        report("server after", s, SSL_do_handshake(s));
    }
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    SSL_CTX_free(other);
}

static void select_next(const char *title, const unsigned char *server, unsigned int slen,
                        const unsigned char *client, unsigned int clen)
{
    unsigned char *out = (unsigned char *)"unset";
    unsigned char outlen = 99;
    int r = SSL_select_next_proto(&out, &outlen, server, slen, client, clen);
    printf("select_next_proto %s: %d out=%s%.*s len=%u in_server=%d in_client=%d\n", title, r,
           out == NULL ? "NULL" : "", out == NULL ? 0 : (int)outlen,
           out == NULL ? "" : (const char *)out, outlen,
           out != NULL && server != NULL && out >= server && out < server + slen,
           out != NULL && client != NULL && out >= client && out < client + clen);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    static const unsigned char c1[] = "\x08http/1.1\x02h2";
    static const unsigned char s_empty_entry[] = "\x00\x02h2";
    static const unsigned char bad_first[] = "\x09http/1.1";
    static const unsigned char empty_first[] = "\x00\x02h2";
    static const unsigned char s_bad_tail[] = "\x03" "foo\x07" "h2";
    select_next("match", server_protos, sizeof(server_protos) - 1, c1, sizeof(c1) - 1);
    select_next("no overlap", no_protos, sizeof(no_protos) - 1, c1, sizeof(c1) - 1);
    select_next("server empty entry", s_empty_entry, sizeof(s_empty_entry) - 1, c1,
                sizeof(c1) - 1);
    select_next("server bad tail", s_bad_tail, sizeof(s_bad_tail) - 1, c1, sizeof(c1) - 1);
    select_next("client bad first", server_protos, sizeof(server_protos) - 1, bad_first,
                sizeof(bad_first) - 1);
    select_next("client empty first", server_protos, sizeof(server_protos) - 1, empty_first,
                sizeof(empty_first) - 1);
    select_next("client empty", server_protos, sizeof(server_protos) - 1, c1, 0);
    select_next("server empty", server_protos, 0, c1, sizeof(c1) - 1);

    select_next("NULL lists", NULL, 0, NULL, 0);
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    printf("callback_ctrl unknown cmd=%ld\n", SSL_CTX_callback_ctrl(ctx, 9999, NULL));
    printf("NULL SSL: set_SSL_CTX=%d servername_type=%d servername=%d\n",
           SSL_set_SSL_CTX(NULL, ctx) == NULL, SSL_get_servername_type(NULL),
           SSL_get_servername(NULL, TLSEXT_NAMETYPE_host_name) == NULL);
    errs("NULL");
    SSL_CTX_free(ctx);

    int versions[2] = {TLS1_3_VERSION, TLS1_2_VERSION};
    for (int i = 0; i < 2; i++) {
        int v = versions[i];
        sni(v, "other.example", SWITCH, 0, 1);
        sni(v, "other.example", SWITCH, 1, 0);
        sni(v, "localhost", SWITCH, 0, 1);
        sni(v, "localhost", NOACK, 0, 0);
        sni(v, "localhost", FATAL, 0, 0);
        sni(v, "localhost", FATAL_CUSTOM, 0, 0);
        sni(v, NULL, OK, 0, 0);
        alpn(v, SELECT, 1, 0);
        alpn(v, SELECT_NONE_COMMON, 1, 0);
        alpn(v, POINT_INTO_IN, 1, 0);
        alpn(v, ANOCK, 1, 0);
        alpn(v, AFATAL, 1, 0);
        alpn(v, SELECT, 0, 0);
        alpn(v, ANOCK, 1, 1);
    }
    errs("end");
    return 0;
}
