from tfviz.cli import main

raise SystemExit(main())
