from coursepkg.cli import main

raise SystemExit(main())
