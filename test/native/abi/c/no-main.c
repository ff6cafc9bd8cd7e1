/* A shared object that is not a program: it has no main(). */
int
not_main(void)
{
    return 0;
}
