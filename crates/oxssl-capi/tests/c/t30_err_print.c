/* ERR_error_string (static and caller buffer) and ERR_print_errors_fp: one line per entry,
 * each with the packed code and texts, and the queue is empty afterwards. (Thread id,
 * function names and file:line differ by design and are not printed here.) */
#include "common.h"

int main(int argc, char **argv)
{
    args(argc, argv);
    SSL_CTX *ctx = make_ctx(0, 0);
    SSL *s = SSL_new(ctx);
    char buf[256];
    SSL_write(s, "x", -1);
    SSL_read(s, buf, -2);
    SSL_set_tlsext_host_name(s, "");
    unsigned long e = ERR_peek_error();
    printf("static: %s\n", ERR_error_string(e, NULL));
    printf("buffer: %s same=%d\n", ERR_error_string(e, buf), ERR_error_string(e, buf) == buf);
    FILE *f = tmpfile();
    ERR_print_errors_fp(f);
    printf("queue after print=%lu\n", ERR_peek_error());
    rewind(f);
    int lines = 0;
    char line[512];
    while (fgets(line, sizeof(line), f) != NULL) {
        char *p = strstr(line, "error:");
        char code[9] = {0};
        if (p != NULL)
            memcpy(code, p + 6, 8);
        printf("line %d: code=%s has 'SSL routines'=%d\n", ++lines, code,
               strstr(line, "SSL routines") != NULL);
    }
    fclose(f);

    SSL_write(s, "x", -1);
    const char *file = NULL, *func = NULL, *data = NULL;
    int line_no = -1, flags = -1;
    e = ERR_get_error_all(&file, &line_no, &func, &data, &flags);
    printf("get_error_all=%08lX file set=%d func set=%d data='%s' string flag=%d\n", e,
           file != NULL, func != NULL, data, (flags & ERR_TXT_STRING) != 0);
    printf("get_error_all empty=%lu\n", ERR_get_error_all(NULL, NULL, NULL, NULL, NULL));
    SSL_free(s);
    SSL_CTX_free(ctx);
    return 0;
}
