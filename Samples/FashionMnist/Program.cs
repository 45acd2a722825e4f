System.Console.WriteLine(FashionMnist.FashionMlp.SummaryText);
