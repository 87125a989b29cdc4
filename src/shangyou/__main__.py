from shangyou.cli import main

main()
