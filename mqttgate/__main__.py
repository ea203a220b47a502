from mqttgate.cli import main

main()
